package dev.asyncqueue;

/** Permission to run one invocation; released exactly once with how the invocation ended. */
public interface Permit {

    /**
     * Returns the permit and tells the limiter the outcome.
     *
     * @throws IllegalStateException when this permit was already released
     */
    void release(Outcome outcome);
}
