package dev.asyncqueue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A place a worker pulls deliveries from: shared by all functions, or holding one function's work. */
public interface WorkSource {

    /** The single function whose work this source holds, or empty when it mixes functions. */
    Optional<String> function();

    /**
     * Takes at most {@code max} deliveries, waiting up to {@code maxWait} for the first.
     * Never returns more than asked, so the worker holds nothing it cannot start.
     */
    List<Delivery> fetch(int max, Duration maxWait) throws InterruptedException;
}
