package dev.asyncqueue.nats;

/** A queued message that is not a valid invocation; the message says what is wrong with it. */
class MalformedMessageException extends Exception {
    MalformedMessageException(String reason) {
        super(reason);
    }

    MalformedMessageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
