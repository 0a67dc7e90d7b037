package dev.asyncqueue.spi;

import dev.asyncqueue.Ticker;
import dev.asyncqueue.config.Settings;

import java.util.Map;

/**
 * What a limiter for one function is made from.
 *
 * @param function    the function the limiter paces
 * @param annotations the function's annotations as last seen (may carry a fixed limit)
 * @param settings    the worker's settings
 * @param ticker      the clock its timing decisions read
 */
public record LimiterContext(String function, Map<String, String> annotations, Settings settings, Ticker ticker) {
    /** Copies the annotations. */
    public LimiterContext {
        annotations = Map.copyOf(annotations);
    }
}
