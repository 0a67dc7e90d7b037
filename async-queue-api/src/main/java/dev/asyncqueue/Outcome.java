package dev.asyncqueue;

/** How an invocation that held a concurrency permit ended, which is what a limiter learns from. */
public enum Outcome {
    /** The function answered 2xx. */
    SUCCESS,
    /** The function refused for lack of capacity (429). */
    REJECTED,
    /** The call failed: 5xx or a transport failure. */
    FAILED,
    /** Tells nothing about capacity (4xx, cancelled, or the permit went unused). */
    IGNORED;

    /** Classifies a function's answer. */
    public static Outcome of(InvocationResult result) {
        if (result.isSuccess()) return SUCCESS;
        if (result.isTransportFailure() || result.status() >= 500) return FAILED;
        if (result.status() == 429) return REJECTED;
        return IGNORED;
    }
}
