package dev.asyncqueue.examples.logging;

import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;

import java.io.PrintStream;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** Makes {@link LineLogger}s sharing one setting and one output stream. */
public final class LineLoggerFactory implements ILoggerFactory {
    private final LogSettings settings;
    private final PrintStream out;
    private final ConcurrentMap<String, Logger> loggers = new ConcurrentHashMap<>();

    /** Loggers with {@code settings}, writing to {@code out}. */
    public LineLoggerFactory(LogSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    @Override
    public Logger getLogger(String name) {
        return loggers.computeIfAbsent(name, n -> new LineLogger(n, settings, out));
    }
}
