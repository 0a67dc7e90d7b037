package dev.asyncqueue.callback;

import java.util.concurrent.CompletionStage;

/** Delivers a final result to its callback URL. */
@FunctionalInterface
public interface CallbackSender {

    /** Posts the callback; the stage completes with the receiver's status, or exceptionally when it was not reached. */
    CompletionStage<Integer> send(Callback callback);
}
