package dev.asyncqueue.examples.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.event.Level;

import java.io.PrintStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

/** Makes {@link LineLogger}s sharing one setting and one output stream. */
public final class LineLoggerFactory implements ILoggerFactory {
    // Apache HttpClient's debug lines carry every request's and answer's bytes (headers, bodies, signatures):
    // debug=true is for the worker's own detail, so the client's loggers stay at INFO or above.
    private static final String HTTP_CLIENT = "org.apache.hc.";

    private final LogSettings settings;
    private final Supplier<PrintStream> out;
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

    /** Loggers with {@code settings}, writing to {@code out}. */
    public LineLoggerFactory(LogSettings settings, PrintStream out) {
        this(settings, () -> out);
    }

    /**
     * Loggers writing to whatever {@code out} gives at each event: {@code System::err} follows
     * {@link System#setErr}, as slf4j-simple does, so tests capturing standard error see the lines.
     */
    public LineLoggerFactory(LogSettings settings, Supplier<PrintStream> out) {
        this.settings = settings;
        this.out = out;
    }

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(name, n -> new LineLogger(n,
                n.startsWith(HTTP_CLIENT) ? settings.atLeast(Level.INFO) : settings, out));
    }
}
