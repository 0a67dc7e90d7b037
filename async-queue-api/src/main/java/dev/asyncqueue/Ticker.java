package dev.asyncqueue;

/** A monotonic nanosecond clock, injectable so timing decisions can be tested deterministically. */
@FunctionalInterface
public interface Ticker {

    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long read();

    /** The system's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
