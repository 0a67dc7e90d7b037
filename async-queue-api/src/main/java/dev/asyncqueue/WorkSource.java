package dev.asyncqueue;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/** A place a worker pulls deliveries from: shared by all functions, or holding one function's work. */
public interface WorkSource {

    /** The single function whose work this source holds, or empty when it mixes functions. */
    Optional<String> function();

    /**
     * Takes at most {@code max} deliveries, handing each to {@code sink} as soon as it arrives, and
     * returns how many it handed over once {@code max} arrived or {@code maxWait} passed (a zero wait
     * takes only what is ready). Never takes more than asked, so the worker holds nothing it cannot start.
     */
    int fetch(int max, Duration maxWait, Consumer<Delivery> sink) throws InterruptedException;
}
