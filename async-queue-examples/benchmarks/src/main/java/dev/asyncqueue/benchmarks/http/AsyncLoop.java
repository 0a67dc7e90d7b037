package dev.asyncqueue.benchmarks.http;

import java.net.URI;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An asynchronous client's loop: one thread starts calls while fewer than {@code concurrency} are open; a call
 * posts the body to the first URL, and each later URL gets the answer before it once that answer is in.
 */
abstract class AsyncLoop implements HttpLoop {
    private static final long RUN_LIMIT_MINUTES = 30;
    private final int concurrency;
    private final List<URI> urls;
    private final byte[] body;

    AsyncLoop(List<URI> urls, int concurrency, byte[] body) {
        this.concurrency = concurrency;
        this.urls = List.copyOf(urls);
        this.body = body.clone();
    }

    /** What an exchange reports when it ends: its status and answer, or why it failed. */
    interface Outcome {
        void ended(int status, byte[] answer, Throwable failure);
    }

    /** Starts one exchange posting {@code content} to {@code url}, reporting to {@code outcome} once its whole answer is read. */
    abstract void start(URI url, byte[] content, Outcome outcome) throws Exception;

    @Override
    public final void run(int calls) throws Exception {
        Semaphore open = new Semaphore(concurrency);
        CountDownLatch ended = new CountDownLatch(calls);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        for (int i = 0; i < calls && failed.get() == null; i++) {
            open.acquire();
            exchange(0, body, open, ended, failed);
        }
        if (failed.get() == null && !ended.await(RUN_LIMIT_MINUTES, TimeUnit.MINUTES)) {
            throw new IllegalStateException("calls still open after " + RUN_LIMIT_MINUTES + " minutes");
        }
        if (failed.get() != null) throw new IllegalStateException("a call failed", failed.get());
    }

    private void exchange(int step, byte[] content, Semaphore open, CountDownLatch ended,
                          AtomicReference<Throwable> failed) throws Exception {
        URI url = urls.get(step);
        start(url, content, (status, answer, failure) -> {
            if (failure == null && status == 200 && step + 1 < urls.size()) {
                try {
                    exchange(step + 1, answer, open, ended, failed);
                    return;
                } catch (Exception e) {
                    failure = e;
                }
            }
            if (failure != null) failed.compareAndSet(null, failure);
            else if (status != 200) failed.compareAndSet(null, new IllegalStateException(url + " answered " + status));
            open.release();
            ended.countDown();
        });
    }
}
