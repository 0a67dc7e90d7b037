package dev.asyncqueue.worker;

/** Where a {@link QueueWorker} is in its life, for health checks: {@link QueueWorker#state()}. */
public enum WorkerState {
    /** Built, not started. */
    NEW,
    /** Pulling and working. */
    RUNNING,
    /** Pulls fail (the connection is down and reconnecting, say); the worker keeps trying and recovers on its own. */
    DEGRADED,
    /**
     * The transport under the consumer closed for good (a NATS connection that gave up, or was closed): the
     * worker pulls nothing more. Calls in flight still end; close the worker and build a new one on a new
     * connection.
     */
    TRANSPORT_CLOSED,
    /** Closed. */
    STOPPED
}
