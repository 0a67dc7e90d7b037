package dev.asyncqueue;

/** The queue cannot store or hand out work right now (e.g. the broker is unreachable). */
public class QueueUnavailableException extends RuntimeException {
    public QueueUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
