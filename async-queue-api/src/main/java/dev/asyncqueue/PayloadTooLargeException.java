package dev.asyncqueue;

/** An invocation whose encoded size exceeds what the queue stores. */
public class PayloadTooLargeException extends IllegalArgumentException {
    /** Encoded size of the rejected invocation. */
    private final long size;
    /** The queue's limit in bytes. */
    private final long limit;

    /** An invocation of {@code size} encoded bytes, over the queue's {@code limit}. */
    public PayloadTooLargeException(long size, long limit) {
        super("invocation is " + size + " bytes encoded, over the queue's limit of " + limit + " bytes");
        this.size = size;
        this.limit = limit;
    }

    /** Encoded size of the rejected invocation. */
    public long size() { return size; }

    /** The queue's limit in bytes. */
    public long limit() { return limit; }
}
