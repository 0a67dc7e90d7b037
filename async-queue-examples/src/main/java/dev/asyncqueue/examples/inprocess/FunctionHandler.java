package dev.asyncqueue.examples.inprocess;

import dev.asyncqueue.Invocation;

/**
 * A function written as plain Java, run in the worker's process by the {@code java} invoker;
 * handlers are found with {@link java.util.ServiceLoader} and called by {@link #name()}.
 */
public interface FunctionHandler {

    /** The function name invocations address. */
    String name();

    /** Handles one call; the returned text is the function's response body. */
    String handle(Invocation invocation) throws Exception;
}
