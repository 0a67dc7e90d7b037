package dev.asyncqueue.worker;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.callback.Callback;
import dev.asyncqueue.testing.Eventually;
import dev.asyncqueue.testing.InMemoryQueue;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Free returns counted in a store that outlives the worker keep {@code X-Retry} right after a restart. */
class FreeReturnsStoreTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Long enough for the first worker to close before the returned call is ready again. */
    private static final Duration REJECTION_DELAY = Duration.ofSeconds(3);

    @Test
    void aWorkerStartedAfterAnotherReadsTheFreeReturnsItCountedFromTheStoreTheyShare() throws Exception {
        FreeReturns lasting = FreeReturns.inMemory();
        InMemoryQueue queue = InMemoryQueue.create();
        queue.enqueue(Invocation.builder("busy").callId("c-1").callbackUrl(URI.create("http://receiver.invalid/cb"))
                .build());

        // The first worker hears a 429 and sends the call back for free, then stops.
        List<Callback> callbacks = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        QueueWorker first = worker(queue, lasting, callbacks, calls);
        try {
            first.start();
            queue.awaitUntil("the call returned", q -> q.scheduled() == 1, WAIT);
        } finally {
            first.close();
        }
        assertEquals(1, queue.deliveries().size(), "the first worker did not take the call again");
        assertEquals(1, lasting.count("c-1"));

        // A new worker, as after a restart, sharing the store: the 200 it gets follows no retry.
        QueueWorker second = worker(queue, lasting, callbacks, calls);
        try {
            second.start();
            queue.awaitAcked(1, WAIT);
            Eventually.assertWithin(WAIT, "worker idle", () -> second.inFlight() == 0);
        } finally {
            second.close();
        }
        assertEquals(2, queue.deliveries().get(1).attempt(), "the queue counts both deliveries");
        assertEquals(1, callbacks.size());
        assertEquals(0, callbacks.get(0).retries(), "X-Retry: the free return was no retry");
        assertEquals(0, lasting.count("c-1"), "forgotten once the call is done");
        queue.assertNoMisuse();
    }

    private static QueueWorker worker(InMemoryQueue queue, FreeReturns store, List<Callback> callbacks,
                                      AtomicInteger calls) {
        return QueueWorker.builder().name("free-returns").consumer(queue).freeReturns(store)
                .invoker(invocation -> CompletableFuture.completedFuture(InvocationResult.answered(
                        calls.getAndIncrement() == 0 ? 429 : 200, Map.of(), new byte[0], Duration.ofMillis(1))))
                .rejectionsWaitInQueue(true, REJECTION_DELAY)
                .callbacks(callback -> {
                    callbacks.add(callback);
                    return CompletableFuture.completedFuture(200);
                })
                .pollWait(Duration.ofMillis(20)).build();
    }
}
