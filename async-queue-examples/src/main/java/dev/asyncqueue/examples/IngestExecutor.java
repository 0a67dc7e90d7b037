package dev.asyncqueue.examples;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of the ingest's HTTP server, with bounded room for requests that wait for one.
 *
 * <p>The JDK's server hands each request to this executor before it has read it, and closes the connection
 * without a word when the executor refuses it. So a request that finds no room goes to a few shedding
 * threads (with the same bounded room) instead, where {@link #shedding()} is true and the {@link #filter()}
 * answers 503 with {@code Retry-After} without doing the request's work. Only past both bounds does the
 * connection close unanswered; memory stays bounded either way.
 */
final class IngestExecutor implements Executor, AutoCloseable {
    static final int SHEDDING_THREADS = 2;

    private final ThreadPoolExecutor workers;
    private final ThreadPoolExecutor shedders;

    IngestExecutor(int threads, int queueSize) {
        AtomicInteger workerCount = new AtomicInteger();
        AtomicInteger shedderCount = new AtomicInteger();
        workers = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueSize),
                task -> daemon(new Thread(task, "async-queue-ingest-" + workerCount.incrementAndGet())));
        shedders = new ThreadPoolExecutor(SHEDDING_THREADS, SHEDDING_THREADS, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueSize),
                task -> daemon(new SheddingThread(task, "async-queue-ingest-shedding-" + shedderCount.incrementAndGet())));
    }

    private static Thread daemon(Thread thread) {
        thread.setDaemon(true);
        return thread;
    }

    /** A thread whose requests are answered 503 at once. */
    private static final class SheddingThread extends Thread {
        SheddingThread(Runnable task, String name) {
            super(task, name);
        }
    }

    /** Runs the request on a worker, else on a shedding thread; throws when both are full. */
    @Override
    public void execute(Runnable request) {
        try {
            workers.execute(request);
        } catch (RejectedExecutionException full) {
            shedders.execute(request);
        }
    }

    /** Whether the current request came when the workers had no room, and must be refused. */
    static boolean shedding() {
        return Thread.currentThread() instanceof SheddingThread;
    }

    /** Answers 503 with {@code Retry-After} to requests on a shedding thread; lets the others through. */
    Filter filter() {
        return new Filter() {
            @Override
            public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                if (!shedding()) {
                    chain.doFilter(exchange);
                    return;
                }
                try (exchange) {
                    IngestHandler.answer(exchange, IngestHandler.Reply.of(503, "ingest busy: no room for more requests;"
                            + " retry after " + IngestHandler.RETRY_AFTER_SECONDS + "s"));
                }
            }

            @Override
            public String description() {
                return "answers 503 when the ingest has no room for the request";
            }
        };
    }

    /** Requests waiting for a worker now. */
    int waiting() {
        return workers.getQueue().size();
    }

    /** Stops the threads; requests still waiting are dropped with their connections. */
    @Override
    public void close() {
        workers.shutdownNow();
        shedders.shutdownNow();
    }
}
