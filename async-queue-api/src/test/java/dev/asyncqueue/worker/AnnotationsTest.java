package dev.asyncqueue.worker;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.testing.Eventually;
import dev.asyncqueue.testing.InMemoryQueue;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A function's limiter is found with the annotations its latest message carried, removed ones included. */
class AnnotationsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Map<String, String> LIMITED = Map.of("com.openfaas.queue.max_inflight", "1");

    @Test
    void annotationsRemovedFromAFunctionStopApplyingWithItsNextMessage() throws Exception {
        InMemoryQueue queue = InMemoryQueue.create();
        AtomicReference<Map<String, String>> askedWith = new AtomicReference<>();
        QueueWorker worker = QueueWorker.builder().name("annotations").consumer(new OneFunctionStrategy(queue, "fn"))
                .invoker(invocation -> CompletableFuture.completedFuture(
                        InvocationResult.answered(200, Map.of(), new byte[0], Duration.ofMillis(1))))
                .limiters((function, annotations) -> {
                    askedWith.set(annotations);
                    return ConcurrencyLimiter.unlimited();
                })
                .pollWait(Duration.ofMillis(20)).build();
        try {
            worker.start();
            queue.enqueue(Invocation.builder("fn").annotations(LIMITED).build());
            queue.awaitAcked(1, WAIT);
            Eventually.assertWithin(WAIT, () -> "asked with " + askedWith.get(), () -> LIMITED.equals(askedWith.get()));

            queue.enqueue(Invocation.builder("fn").build());
            queue.awaitAcked(2, WAIT);
            Eventually.assertWithin(WAIT, () -> "the annotation removed; asked with " + askedWith.get(),
                    () -> Map.of().equals(askedWith.get()));
        } finally {
            worker.close();
        }
    }

    @Test
    void onlyTheMostRecentlyUsedFunctionsAreRemembered() {
        FunctionAnnotations latest = new FunctionAnnotations(2);
        latest.record("a", LIMITED);
        latest.record("b", LIMITED);
        latest.of("a"); // a is used again: b is now the eldest
        latest.record("c", LIMITED);

        assertEquals(2, latest.size());
        assertEquals(LIMITED, latest.of("a"));
        assertEquals(Map.of(), latest.of("b"), "the least recently used function was dropped");
        latest.record("a", Map.of());
        assertEquals(Map.of(), latest.of("a"), "empty annotations are remembered too");
    }
}
