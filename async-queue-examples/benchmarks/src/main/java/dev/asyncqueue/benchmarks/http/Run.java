package dev.asyncqueue.benchmarks.http;

/**
 * One timed run of a client.
 *
 * @param calls       calls made
 * @param wallNanos   wall time of the run
 * @param clientNanos CPU time of the client (this JVM, or the load generator's process)
 * @param serverNanos CPU time of the function server
 */
public record Run(long calls, long wallNanos, long clientNanos, long serverNanos) {

    /** Calls per second. */
    public double rate() {
        return calls / (wallNanos / 1e9);
    }

    /** The client's CPU per call, microseconds. */
    public double clientMicrosPerCall() {
        return clientNanos / 1e3 / calls;
    }

    /** The server's CPU per call, microseconds. */
    public double serverMicrosPerCall() {
        return serverNanos / 1e3 / calls;
    }
}
