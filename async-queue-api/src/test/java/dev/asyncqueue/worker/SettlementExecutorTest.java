package dev.asyncqueue.worker;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.retry.RetryDecision;
import dev.asyncqueue.testing.InMemoryDelivery;
import dev.asyncqueue.testing.InMemoryQueue;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With a settling executor, a listener that blocks on one call holds up only that call. */
class SettlementExecutorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aListenerBlockingOnOneCallDoesNotHoldUpTheCallsItsInvokerThreadServes() throws Exception {
        InMemoryQueue queue = InMemoryQueue.create();
        queue.enqueue(Invocation.builder("blocks").build());
        queue.enqueue(Invocation.builder("flows").build());
        // One thread completes every call, as an HTTP client's I/O thread does.
        ExecutorService ioThread = Executors.newSingleThreadExecutor();
        ExecutorService settling = Executors.newFixedThreadPool(2);
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WorkerListener listener = new WorkerListener() {
            @Override
            public void invocationFinished(Invocation invocation, InvocationResult result, RetryDecision decision) {
                if (!invocation.function().equals("blocks")) return;
                blocking.countDown();
                try {
                    release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        QueueWorker worker = QueueWorker.builder().name("settling").consumer(queue).maxInflight(2)
                .invoker(invocation -> CompletableFuture.supplyAsync(() -> {
                    if (invocation.function().equals("flows")) awaitQuietly(blocking);
                    return InvocationResult.answered(200, Map.of(), new byte[0], Duration.ofMillis(1));
                }, ioThread))
                .listener(listener).settleOn(settling).build();
        try {
            worker.start();
            List<InMemoryDelivery> acked = queue.awaitAcked(1, WAIT);

            assertEquals("flows", acked.get(0).invocation().function(), "settled while the other call's listener blocks");
            assertEquals(1L, release.getCount(), "the blocking listener had not been released");
            release.countDown();
            assertEquals(2, queue.awaitAcked(2, WAIT).size());
        } finally {
            release.countDown();
            worker.close();
            ioThread.shutdownNow();
            settling.shutdownNow();
        }
        assertTrue(queue.acked().stream().anyMatch(d -> d.invocation().function().equals("blocks")));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
