package dev.asyncqueue.benchmarks.http;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** An asynchronous client's loop: one thread starts calls while fewer than {@code concurrency} are open. */
abstract class AsyncLoop implements HttpLoop {
    private static final long RUN_LIMIT_MINUTES = 30;
    private final int concurrency;

    AsyncLoop(int concurrency) {
        this.concurrency = concurrency;
    }

    /** What a call reports when it ends: its status, or why it failed. */
    interface Outcome {
        void ended(int status, Throwable failure);
    }

    /** Starts one call that reports to {@code outcome} once its whole answer is read. */
    abstract void start(Outcome outcome) throws Exception;

    @Override
    public final void run(int calls) throws Exception {
        Semaphore open = new Semaphore(concurrency);
        CountDownLatch ended = new CountDownLatch(calls);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Outcome outcome = (status, failure) -> {
            if (failure != null) failed.compareAndSet(null, failure);
            else if (status != 200) failed.compareAndSet(null, new IllegalStateException("the function answered " + status));
            open.release();
            ended.countDown();
        };
        for (int i = 0; i < calls && failed.get() == null; i++) {
            open.acquire();
            start(outcome);
        }
        if (failed.get() == null && !ended.await(RUN_LIMIT_MINUTES, TimeUnit.MINUTES)) {
            throw new IllegalStateException("calls still open after " + RUN_LIMIT_MINUTES + " minutes");
        }
        if (failed.get() != null) throw new IllegalStateException("a call failed", failed.get());
    }
}
