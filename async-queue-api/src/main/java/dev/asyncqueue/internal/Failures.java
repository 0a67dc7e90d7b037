package dev.asyncqueue.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Names a failure for logs, listeners and transport errors by its cause, not by the future that carried it. */
public final class Failures {
    private Failures() {
    }

    /** The failure behind a {@link CompletionException} or {@link ExecutionException}, else the failure itself. */
    public static Throwable cause(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /** The cause's simple class name and message, e.g. {@code ConnectException: Connection refused}. */
    public static String describe(Throwable error) {
        if (error == null) return "unknown error";
        Throwable cause = cause(error);
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
