package dev.asyncqueue.benchmarks.http;

import dev.asyncqueue.internal.Threads;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A blocking client's loop: {@code concurrency} threads, each making one call after another until all are made;
 * a call posts the body to the first URL and each later URL gets the answer before it.
 */
abstract class BlockingLoop implements HttpLoop {
    private final int concurrency;
    private final List<URI> urls;
    private final byte[] body;
    private final ExecutorService threads;

    BlockingLoop(String name, List<URI> urls, int concurrency, byte[] body) {
        this.concurrency = concurrency;
        this.urls = List.copyOf(urls);
        this.body = body.clone();
        this.threads = Executors.newFixedThreadPool(concurrency, Threads.named("bench-" + name));
    }

    /** What one exchange got back. */
    record Answer(int status, byte[] body) {
    }

    /** One exchange: posts {@code content} to {@code url}; returns after reading the whole answer. */
    abstract Answer call(URI url, byte[] content) throws Exception;

    @Override
    public final void run(int calls) throws Exception {
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> workers = new ArrayList<>(concurrency);
        for (int t = 0; t < concurrency; t++) {
            workers.add(threads.submit(() -> {
                while (next.getAndIncrement() < calls) {
                    byte[] content = body;
                    for (URI url : urls) {
                        Answer answer = call(url, content);
                        if (answer.status() != 200) {
                            throw new IllegalStateException(url + " answered " + answer.status());
                        }
                        content = answer.body();
                    }
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
