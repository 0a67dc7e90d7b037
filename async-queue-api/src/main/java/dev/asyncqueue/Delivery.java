package dev.asyncqueue;

import java.time.Duration;

/**
 * One hand-over of a queued invocation to a worker: the seam between the engine and a transport.
 * Exactly one of {@link #ack()}, {@link #retryAfter(Duration)} or {@link #deadLetter(String, int, int)}
 * settles it.
 */
public interface Delivery {

    /** Dead-letter reason of a call whose retries ran out. */
    String RETRIES_EXHAUSTED = "retries_exhausted";

    /** Dead-letter reason of a message that is not an invocation. */
    String MALFORMED = "malformed";

    /** The invocation delivered. */
    Invocation invocation();

    /** How many times this message has been delivered, this time included (1 for the first). */
    int attempt();

    /** A transport position for logs, e.g. the stream sequence. */
    String position();

    /** Tells the queue the work is still in progress, so it does not redeliver it elsewhere. */
    void keepAlive();

    /** Done: the queue forgets the message. */
    void ack();

    /** Not done: deliver again after the delay (zero means now). */
    void retryAfter(Duration delay);

    /**
     * Done, but unsuccessfully for good (retries exhausted): the queue forgets the message and, where
     * the transport keeps dead letters, stores its original payload there with the reason, the last
     * status and the attempts made. Transports without a dead-letter store simply ack.
     */
    default void deadLetter(String reason, int lastStatus, int attempts) {
        ack();
    }
}
