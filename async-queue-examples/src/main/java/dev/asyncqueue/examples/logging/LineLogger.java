package dev.asyncqueue.examples.logging;

import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;
import org.slf4j.event.LoggingEvent;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NormalizedParameters;
import org.slf4j.spi.LoggingEventAware;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A logger writing one line per event to a stream. It is {@link LoggingEventAware}, so the fluent API's
 * key-value pairs ({@code log.atInfo().addKeyValue("call_id", id)...}) arrive as fields, not folded into text.
 */
final class LineLogger extends LegacyAbstractLogger implements LoggingEventAware {
    private static final long serialVersionUID = 1L;

    private final transient LogSettings settings;
    private final transient Supplier<PrintStream> out;
    private final String shortName;

    LineLogger(String name, LogSettings settings, Supplier<PrintStream> out) {
        this.name = name;
        this.settings = settings;
        this.out = out;
        int dot = name.lastIndexOf('.');
        this.shortName = dot < 0 ? name : name.substring(dot + 1);
    }

    @Override
    public boolean isTraceEnabled() {
        return settings.enabled(Level.TRACE);
    }

    @Override
    public boolean isDebugEnabled() {
        return settings.enabled(Level.DEBUG);
    }

    @Override
    public boolean isInfoEnabled() {
        return settings.enabled(Level.INFO);
    }

    @Override
    public boolean isWarnEnabled() {
        return settings.enabled(Level.WARN);
    }

    @Override
    public boolean isErrorEnabled() {
        return settings.enabled(Level.ERROR);
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                                               Throwable throwable) {
        write(level, MessageFormatter.basicArrayFormat(pattern, arguments), List.of(), throwable,
                Thread.currentThread().getName());
    }

    @Override
    public void log(LoggingEvent event) {
        if (!settings.enabled(event.getLevel())) return;
        NormalizedParameters p = NormalizedParameters.normalize(event);
        String message = MessageFormatter.basicArrayFormat(p.getMessage(), p.getArguments());
        String thread = event.getThreadName() == null ? Thread.currentThread().getName() : event.getThreadName();
        write(event.getLevel(), message, event.getKeyValuePairs(), p.getThrowable(), thread);
    }

    private void write(Level level, String message, List<KeyValuePair> pairs, Throwable error, String thread) {
        String line;
        if (settings.json()) {
            Map<String, String> mdc = MDC.getCopyOfContextMap();
            line = LogLines.json(Instant.now(), level, name, thread, message, pairs, mdc, error);
        } else {
            line = LogLines.console(Instant.now(), level, shortName, thread, message, pairs, error);
        }
        // One println per event, so concurrent lines never interleave.
        out.get().println(line);
    }
}
