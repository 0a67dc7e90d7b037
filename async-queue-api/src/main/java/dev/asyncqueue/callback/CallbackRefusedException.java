package dev.asyncqueue.callback;

/** A callback the {@link CallbackPolicy} does not allow; the message says why. */
public final class CallbackRefusedException extends RuntimeException {
    /** A refusal with its reason. */
    public CallbackRefusedException(String reason) {
        super(reason, null, false, false);
    }
}
