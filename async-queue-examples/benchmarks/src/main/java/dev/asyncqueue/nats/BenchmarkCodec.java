package dev.asyncqueue.nats;

import dev.asyncqueue.Invocation;

/**
 * The benchmarks' one door to the package-private QueueRequest codec: it shares the codec's package on
 * the class path, so it may call it, while the library keeps the codec out of its public API.
 */
public final class BenchmarkCodec {
    private BenchmarkCodec() {
    }

    /** The invocation as the QueueRequest JSON the queue stores. */
    public static byte[] encode(Invocation invocation) {
        return QueueRequestWriter.encode(invocation);
    }

    /**
     * The stored JSON back as an invocation, as the worker reads it.
     *
     * @throws IllegalArgumentException when the bytes are not a valid QueueRequest
     */
    public static Invocation decode(byte[] data, String defaultQueue, String fallbackCallId) {
        try {
            return QueueRequestReader.decode(data, defaultQueue, fallbackCallId);
        } catch (MalformedMessageException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
