package dev.asyncqueue.worker;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.callback.CallbackSender;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.testing.Eventually;
import dev.asyncqueue.testing.InMemoryQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * A plug-in that throws changes nothing about a call's fate. For a listener, whichever event it throws
 * on: each scenario runs once with a quiet listener and once with a mock that throws on one event, and
 * the two runs settle the same deliveries the same way, post the same callbacks, and free every slot.
 */
class PlugInFailuresTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final URI CALLBACK = URI.create("http://receiver.invalid/cb");

    /** The event a listener throws on, with a scenario that makes the worker report it. */
    enum Event {
        INVOCATION_STARTED(l -> l.invocationStarted(any(), anyInt())),
        INVOCATION_FINISHED(l -> l.invocationFinished(any(), any(), any())),
        INVOCATION_ENDED(l -> l.invocationEnded(any())),
        DELIVERY_RETURNED(l -> l.deliveryReturned(any(), anyString())),
        CALLBACK_FAILED(l -> l.callbackFailed(any(), anyString())),
        DEAD_LETTERED(l -> l.deadLettered(any(), anyString(), anyInt())),
        CANCELLED(l -> l.cancelled(any(), anyBoolean()));

        final Consumer<WorkerListener> call;

        Event(Consumer<WorkerListener> call) {
            this.call = call;
        }
    }

    /** What a run came to: each call's settlements in order, and each callback's call id, status and retries. */
    private record Fate(Map<String, List<String>> settlements, List<String> callbacks) {
    }

    @ParameterizedTest(name = "a listener throwing in {0}")
    @EnumSource(Event.class)
    void aListenerThatThrowsDoesNotChangeTheFateOfTheCall(Event event) throws Exception {
        Fate quiet = run(event, WorkerListener.NONE);

        WorkerListener throwing = mock(WorkerListener.class);
        event.call.accept(doThrow(new IllegalStateException("listener bug")).when(throwing));
        Fate withFailures = run(event, throwing);

        event.call.accept(verify(throwing, atLeastOnce()));
        assertEquals(quiet, withFailures);
    }

    @Test
    void aSourceOfCancellationsThatThrowsCountsAsNoCancellation() throws Exception {
        Cancellations failing = mock(Cancellations.class);
        when(failing.isCancelled(anyString())).thenThrow(new IllegalStateException("status store down"));
        InMemoryQueue queue = InMemoryQueue.create();
        queue.enqueue(Invocation.builder("fn").callId("c-1").build());
        QueueWorker worker = QueueWorker.builder().name("cancellations-fail").consumer(queue)
                .invoker(invocation -> CompletableFuture.completedFuture(
                        InvocationResult.answered(200, Map.of(), new byte[0], Duration.ofMillis(1))))
                .cancellations(failing).pollWait(Duration.ofMillis(20)).build();
        try {
            worker.start();
            queue.awaitAcked(1, WAIT);
            Eventually.assertWithin(WAIT, "worker idle", () -> worker.inFlight() == 0);
        } finally {
            worker.close();
        }
        assertEquals(1, queue.deliveries().size(), "invoked and acked once");
        verify(failing, atLeastOnce()).isCancelled("c-1");
        queue.assertNoMisuse();
    }

    /** Two calls through a worker with one slot: the second runs only if the first gave its slot back. */
    private Fate run(Event event, WorkerListener listener) throws Exception {
        InMemoryQueue queue = InMemoryQueue.create();
        Invocation first = Invocation.builder("fn").callId("first").callbackUrl(CALLBACK).build();
        Invocation second = Invocation.builder("fn").callId("second").callbackUrl(CALLBACK).build();
        queue.enqueue(first).enqueue(second);

        AtomicInteger calls = new AtomicInteger();
        int status = switch (event) {
            case DEAD_LETTERED -> 503;
            default -> 200;
        };
        Invoker invoker = invocation -> {
            // The first call of the first invocation answers 429, so it goes back to the queue for free.
            boolean rejected = event == Event.DELIVERY_RETURNED && invocation.callId().equals("first")
                    && calls.getAndIncrement() == 0;
            return CompletableFuture.completedFuture(InvocationResult.answered(rejected ? 429 : status, Map.of(),
                    new byte[0], Duration.ofMillis(1)));
        };
        List<String> callbacks = new CopyOnWriteArrayList<>();
        int receiverStatus = event == Event.CALLBACK_FAILED ? 500 : 200;
        CallbackSender sender = callback -> {
            callbacks.add(callback.invocation().callId() + " " + callback.result().status() + " retry "
                    + callback.retries());
            return CompletableFuture.completedFuture(receiverStatus);
        };
        Set<String> cancelled = ConcurrentHashMap.newKeySet();
        if (event == Event.CANCELLED) cancelled.add("first");

        QueueWorker worker = QueueWorker.builder().name("listener-failures").consumer(queue).invoker(invoker)
                .callbacks(sender).listener(listener).maxInflight(1)
                .retryPolicy(new RetryPolicy(1, RetryPolicy.DEFAULT_RETRY_CODES, Duration.ofMillis(10),
                        Duration.ofMillis(10), Backoff.EXPONENTIAL))
                .rejectionsWaitInQueue(event == Event.DELIVERY_RETURNED, Duration.ofMillis(10))
                .pollWait(Duration.ofMillis(20)).shutdownGrace(Duration.ofSeconds(1))
                .cancellations(new Cancellations() {
                    @Override
                    public boolean isCancelled(String callId) {
                        return cancelled.contains(callId);
                    }

                    @Override
                    public void onCancel(Consumer<String> heard) {
                    }
                })
                .build();
        try {
            worker.start();
            queue.awaitAcked(2, WAIT);
            Eventually.assertWithin(WAIT, () -> "worker idle: " + worker, () -> worker.inFlight() == 0);
        } finally {
            worker.close();
        }
        queue.assertNoMisuse();
        return new Fate(Map.of("first", settlements(queue, "first"), "second", settlements(queue, "second")),
                List.copyOf(callbacks));
    }

    private static List<String> settlements(InMemoryQueue queue, String callId) {
        return queue.deliveriesOf(callId).stream()
                .map(d -> d.settlement().map(Object::toString).orElse("unsettled")
                        + d.deadLettered().map(dl -> " dead-lettered " + dl.reason()).orElse(""))
                .toList();
    }
}
