package dev.asyncqueue.nats;

/** A queued message that is not a valid invocation; the message says what is wrong with it. */
public class MalformedMessageException extends Exception {
    public MalformedMessageException(String reason) {
        super(reason);
    }

    public MalformedMessageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
