package dev.asyncqueue.examples;

/**
 * How much the ingest takes on at once. Past these bounds it answers 503 with {@code Retry-After} at once
 * rather than let requests wait, so a stalled NATS server or a burst cannot pile up requests in memory.
 *
 * @param threads    {@code ingest_threads}: threads for the ingest port's work that may block (status and
 *                   cancel routes, opening a queue the first time); calls are read, checked and sent to the
 *                   queue on the server's I/O threads, and none waits for NATS to confirm
 * @param queueSize  {@code ingest_queue_size}: requests that may wait for one of those threads
 * @param maxPending {@code ingest_max_pending}: calls sent to NATS and not yet confirmed as stored; each
 *                   holds its body (up to {@code max_message_bytes}) in memory until then
 */
public record IngestLimits(int threads, int queueSize, int maxPending) {
    /** The defaults: 16 threads, 1000 waiting requests, 128 calls awaiting confirmation. */
    public static final IngestLimits DEFAULTS = new IngestLimits(16, 1000, 128);

    /** Checks the bounds. */
    public IngestLimits {
        if (threads < 1 || queueSize < 1 || maxPending < 1) {
            throw new IllegalArgumentException("ingest limits must be positive: " + threads + ", " + queueSize + ", " + maxPending);
        }
    }
}
