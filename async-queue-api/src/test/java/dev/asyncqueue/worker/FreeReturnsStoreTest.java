package dev.asyncqueue.worker;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.callback.Callback;
import dev.asyncqueue.testing.Eventually;
import dev.asyncqueue.testing.InMemoryQueue;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

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

    @Test
    void aStoreThatFailsNeverKeepsACallFromBeingSettled() throws Exception {
        FreeReturns failing = mock(FreeReturns.class);
        doThrow(new IllegalStateException("store down")).when(failing).record(anyString());
        doThrow(new IllegalStateException("store down")).when(failing).forget(anyString());
        when(failing.retriesBefore(anyString(), anyInt())).thenCallRealMethod();
        when(failing.count(anyString())).thenReturn(0);
        InMemoryQueue queue = InMemoryQueue.create();
        queue.enqueue(Invocation.builder("busy").callId("c-2").callbackUrl(URI.create("http://receiver.invalid/cb"))
                .build());
        List<Callback> callbacks = new CopyOnWriteArrayList<>();
        QueueWorker worker = QueueWorker.builder().name("failing-store").consumer(queue).freeReturns(failing)
                .invoker(new AnsweringOnce429(new AtomicInteger()))
                .rejectionsWaitInQueue(true, Duration.ofMillis(10))
                .callbacks(callback -> {
                    callbacks.add(callback);
                    return CompletableFuture.completedFuture(200);
                })
                .pollWait(Duration.ofMillis(20)).build();
        try {
            worker.start();
            queue.awaitAcked(1, WAIT);
            Eventually.assertWithin(WAIT, "worker idle", () -> worker.inFlight() == 0);
        } finally {
            worker.close();
        }
        verify(failing).record("c-2");
        verify(failing).forget("c-2");
        assertEquals(2, queue.deliveries().size(), "returned once, then done");
        assertEquals(1, callbacks.size());
        queue.assertNoMisuse();
    }

    /** Answers 429 to its first call and 200 to the others. */
    private record AnsweringOnce429(AtomicInteger calls) implements Invoker {
        @Override
        public CompletionStage<InvocationResult> invoke(Invocation invocation) {
            return CompletableFuture.completedFuture(InvocationResult.answered(
                    calls.getAndIncrement() == 0 ? 429 : 200, Map.of(), new byte[0], Duration.ofMillis(1)));
        }
    }

    private static QueueWorker worker(InMemoryQueue queue, FreeReturns store, List<Callback> callbacks,
                                      AtomicInteger calls) {
        return QueueWorker.builder().name("free-returns").consumer(queue).freeReturns(store)
                .invoker(new AnsweringOnce429(calls))
                .rejectionsWaitInQueue(true, REJECTION_DELAY)
                .callbacks(callback -> {
                    callbacks.add(callback);
                    return CompletableFuture.completedFuture(200);
                })
                .pollWait(Duration.ofMillis(20)).build();
    }
}
