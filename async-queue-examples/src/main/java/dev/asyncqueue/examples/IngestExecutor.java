package dev.asyncqueue.examples;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ingest port's threads for work that may block (status and cancel routes, opening a queue the first
 * time): {@code ingest_threads} of them with room for {@code ingest_queue_size} requests waiting, and apart
 * from them a few threads for the routes served even when those are full (health checks). The I/O threads
 * never block: a request that finds no room is refused at once ({@link #tryRun} is false) and answered 503.
 */
final class IngestExecutor implements AutoCloseable {
    /** Threads for the routes served even when the ingest has no room; one check at a time is enough for each. */
    static final int ALWAYS_THREADS = 2;
    /** Requests that may wait for one of those. */
    static final int ALWAYS_QUEUE = 64;

    private final ThreadPoolExecutor workers;
    private final ThreadPoolExecutor always;

    IngestExecutor(int threads, int queueSize) {
        workers = pool(threads, queueSize, "async-queue-ingest-");
        always = pool(ALWAYS_THREADS, ALWAYS_QUEUE, "async-queue-ingest-health-");
    }

    private static ThreadPoolExecutor pool(int threads, int queueSize, String prefix) {
        AtomicInteger count = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueSize),
                task -> {
                    Thread thread = new Thread(task, prefix + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Runs {@code work} on a worker, or on the threads kept for routes served always; false when there is no room. */
    boolean tryRun(Runnable work, boolean servedAlways) {
        try {
            (servedAlways ? always : workers).execute(work);
            return true;
        } catch (RejectedExecutionException full) {
            return false;
        }
    }

    /** Requests waiting for a worker now. */
    int waiting() {
        return workers.getQueue().size();
    }

    /** Stops the threads; requests still waiting are dropped, and their connections closed with the server. */
    @Override
    public void close() {
        workers.shutdownNow();
        always.shutdownNow();
    }
}
