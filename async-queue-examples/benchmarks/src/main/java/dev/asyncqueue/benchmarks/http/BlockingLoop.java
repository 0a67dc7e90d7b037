package dev.asyncqueue.benchmarks.http;

import dev.asyncqueue.internal.Threads;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** A blocking client's loop: {@code concurrency} threads, each making one call after another until all are made. */
abstract class BlockingLoop implements HttpLoop {
    private final int concurrency;
    private final ExecutorService threads;

    BlockingLoop(String name, int concurrency) {
        this.concurrency = concurrency;
        this.threads = Executors.newFixedThreadPool(concurrency, Threads.named("bench-" + name));
    }

    /** One call; returns the status after reading the whole answer. */
    abstract int call() throws Exception;

    @Override
    public final void run(int calls) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>(concurrency);
        for (int t = 0; t < concurrency; t++) {
            workers.add(threads.submit(() -> {
                while (next.getAndIncrement() < calls) {
                    int status = call();
                    if (status != 200) throw new IllegalStateException("the function answered " + status);
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) worker.get();
    }

    /** Closes the client; the threads stop first. */
    abstract void closeClient() throws Exception;

    @Override
    public final void close() throws Exception {
        threads.shutdownNow();
        closeClient();
    }
}
