package dev.asyncqueue.worker;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.Invoker;
import dev.asyncqueue.callback.Callback;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryDecision;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.testing.Eventually;
import dev.asyncqueue.testing.InMemoryDelivery.Kind;
import dev.asyncqueue.testing.InMemoryQueue;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The worker's own deadline: an invoker that never answers does not hold a call, its slot or its message for ever. */
class InvocationDeadlineTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @Test
    void aCallWithNoAnswerWithinTheTimeoutIsGivenUpCancelledAndRetriedAsATransportFailure() throws Exception {
        InMemoryQueue queue = InMemoryQueue.create();
        queue.enqueue(Invocation.builder("hangs").callId("c-1").callbackUrl(URI.create("http://receiver.invalid/cb"))
                .build());
        List<CompletableFuture<InvocationResult>> answers = new CopyOnWriteArrayList<>();
        // The first attempt never answers; the retry does.
        Invoker invoker = invocation -> {
            CompletableFuture<InvocationResult> answer = new CompletableFuture<>();
            if (!answers.isEmpty()) {
                answer.complete(InvocationResult.answered(200, Map.of(), new byte[0], Duration.ofMillis(1)));
            }
            answers.add(answer);
            return answer;
        };
        List<InvocationResult> finished = new CopyOnWriteArrayList<>();
        List<Callback> callbacks = new CopyOnWriteArrayList<>();
        QueueWorker worker = QueueWorker.builder().name("deadline").consumer(queue).invoker(invoker)
                .invocationTimeout(Duration.ofMillis(100))
                .retryPolicy(new RetryPolicy(3, RetryPolicy.DEFAULT_RETRY_CODES, Duration.ofMillis(10),
                        Duration.ofMillis(10), Backoff.EXPONENTIAL))
                .callbacks(callback -> {
                    callbacks.add(callback);
                    return CompletableFuture.completedFuture(200);
                })
                .listener(new WorkerListener() {
                    @Override
                    public void invocationFinished(Invocation invocation, InvocationResult result, RetryDecision decision) {
                        finished.add(result);
                    }
                })
                .pollWait(Duration.ofMillis(20)).build();
        try {
            worker.start();
            queue.awaitAcked(1, WAIT);
            Eventually.assertWithin(WAIT, "worker idle", () -> worker.inFlight() == 0);
        } finally {
            worker.close();
        }

        assertEquals(List.of(Kind.RETRY, Kind.ACK),
                queue.deliveries().stream().map(d -> d.settlement().orElseThrow().kind()).toList());
        assertTrue(answers.get(0).isCancelled(), "the invoker's call was cancelled");
        InvocationResult givenUp = finished.get(0);
        assertTrue(givenUp.isTransportFailure(), givenUp.toString());
        assertEquals(InvocationResult.TRANSPORT_FAILURE_STATUS, givenUp.status());
        assertEquals("no answer within PT0.1S", givenUp.transportError().orElseThrow());
        assertTrue(givenUp.duration().compareTo(Duration.ofMillis(100).plus(CallRunner.DEADLINE_GRACE)) >= 0,
                "not given up before the timeout and its grace: " + givenUp.duration());
        assertEquals(1, callbacks.size());
        assertEquals(200, callbacks.get(0).result().status());
        assertEquals(1, callbacks.get(0).retries(), "the given-up attempt counted as a retry");
        queue.assertNoMisuse();
    }

    @Test
    void theDeadlineIsCheckedATenthOfTheTimeoutApartWithinBounds() {
        assertEquals(1000, QueueWorker.deadlineCheckMillis(Duration.ofMinutes(1)));
        assertEquals(50, QueueWorker.deadlineCheckMillis(Duration.ofMillis(500)));
        assertEquals(10, QueueWorker.deadlineCheckMillis(Duration.ofMillis(20)));
    }
}
