package dev.asyncqueue;

/** The queue cannot store or hand out work right now (e.g. the broker is unreachable). */
public class QueueUnavailableException extends RuntimeException {
    /** Unavailable for the reason {@code message} tells, caused by {@code cause} (may be null). */
    public QueueUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
