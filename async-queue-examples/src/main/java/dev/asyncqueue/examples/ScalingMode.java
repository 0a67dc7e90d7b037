package dev.asyncqueue.examples;

import java.util.Locale;

/** How the worker consumes its queue ({@code scaling_mode}). */
public enum ScalingMode {
    /** One shared consumer, FIFO across functions, never paced by a limiter. */
    STATIC,
    /** A consumer per function with fair shares of {@code max_inflight}, paced by the limiter when it is on. */
    FUNCTION;

    /** The value as the setting spells it: {@code static} or {@code function}. */
    public String settingValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
