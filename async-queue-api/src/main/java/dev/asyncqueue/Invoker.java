package dev.asyncqueue;

import java.util.concurrent.CompletionStage;

/**
 * Calls a function for an invocation. Implementations must not block the calling thread on I/O
 * and should complete with {@link InvocationResult#transportFailure} rather than exceptionally.
 */
@FunctionalInterface
public interface Invoker {

    /** Starts the call; the stage completes with the function's answer or a transport failure. */
    CompletionStage<InvocationResult> invoke(Invocation invocation);
}
