package dev.asyncqueue.examples.inprocess;

import dev.asyncqueue.Invoker;
import dev.asyncqueue.internal.Threads;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.spi.InvokerProvider;

import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;

/**
 * The {@code java} invoker ({@code invoker=java}): swaps HTTP calls for in-process {@link FunctionHandler}s,
 * found on the class path; {@code java_handler_threads} (4) bounds how many run at once.
 */
public final class JavaHandlersInvokerProvider implements InvokerProvider {

    @Override
    public String name() {
        return "java";
    }

    @Override
    public Invoker create(Settings settings) {
        Map<String, FunctionHandler> handlers = new HashMap<>();
        for (FunctionHandler handler : ServiceLoader.load(FunctionHandler.class)) {
            handlers.put(handler.name(), handler);
        }
        int threads = settings.integer("java_handler_threads", 4, 1, 1024);
        return new JavaHandlersInvoker(handlers, Executors.newFixedThreadPool(threads, Threads.named("java-handler")));
    }
}
