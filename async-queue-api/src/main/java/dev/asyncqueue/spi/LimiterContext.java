package dev.asyncqueue.spi;

import dev.asyncqueue.Ticker;
import dev.asyncqueue.config.Settings;

import java.util.Map;
import java.util.Objects;

/**
 * What a limiter for one function is made from.
 *
 * @param function     the function the limiter paces
 * @param annotations  the function's annotations as last seen (may carry a fixed limit)
 * @param settings     the worker's settings
 * @param ticker       the clock its timing decisions read
 * @param coordination how it meets the limiters of other replicas pacing the same function
 */
public record LimiterContext(String function, Map<String, String> annotations, Settings settings, Ticker ticker,
                             LimiterCoordination coordination) {
    /** Copies the annotations; the coordination is required. */
    public LimiterContext {
        annotations = Map.copyOf(annotations);
        Objects.requireNonNull(coordination, "coordination");
    }

    /** A context without coordination: the limiter paces the function alone. */
    public LimiterContext(String function, Map<String, String> annotations, Settings settings, Ticker ticker) {
        this(function, annotations, settings, ticker, LimiterCoordination.none());
    }
}
