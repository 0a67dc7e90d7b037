package dev.asyncqueue.nats;

import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.http.HttpInvoker;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import dev.asyncqueue.worker.FreeReturns;
import dev.asyncqueue.worker.QueueWorker;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Returns that did not use up a retry, counted in the status bucket, as a restarted worker finds them. */
class FreeReturnsAcrossRestartsTest extends SharedNatsServerTest {

    private KvStatusStore store(String bucket) {
        KvStatusStore store = KvStatusStore.builder(connection).bucket(bucket).ttl(Duration.ofMinutes(5)).build();
        toClose.add(store);
        return store;
    }

    @Test
    void aCountRecordedByOneStoreIsReadByAnotherOnTheSameBucket() throws InterruptedException {
        String bucket = NatsTestServer.uniqueQueue("returns");
        FreeReturns first = store(bucket).freeReturns();
        first.record("call/with.dots and spaces");
        first.record("call/with.dots and spaces");
        assertEquals(2, first.count("call/with.dots and spaces"));

        FreeReturns afterRestart = store(bucket).freeReturns();
        awaitTrue("the second store reads the count", Duration.ofSeconds(5),
                () -> afterRestart.count("call/with.dots and spaces") == 2);
        assertEquals(0, afterRestart.count("never-returned"));
        assertEquals(2, afterRestart.retriesBefore("call/with.dots and spaces", 5),
                "five deliveries, two of them free returns: two retries before the fifth");
    }

    @Test
    void aWorkerRestartedAfterFreeReturnsDoesNotCountThemAsRetries() throws Exception {
        String bucket = NatsTestServer.uniqueQueue("returns-restart");
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue("paced")).build();
        AtomicBoolean refusing = new AtomicBoolean(true);
        http.respond("/function/paced", r -> refusing.get() ? Response.of(429, "busy") : Response.of(200, "done"));
        Invocation invocation = Invocation.builder("paced").queue(queue.name())
                .callbackUrl(URI.create(http.baseUrl() + "/cb")).build();
        queue.enqueue(invocation).toCompletableFuture().get(5, TimeUnit.SECONDS);

        QueueWorker first = worker(queue, store(bucket));
        first.start();
        http.await("/function/paced", 3, Duration.ofSeconds(15));
        first.close();
        int refusals = http.requests("/function/paced").size();

        refusing.set(false);
        worker(queue, store(bucket)).start();

        RecordedRequest callback = http.await("/cb", 1, Duration.ofSeconds(15)).get(0);
        assertEquals("200", callback.header(CallHeaders.FUNCTION_STATUS).orElseThrow());
        assertTrue(refusals >= 3, "the first worker saw its 429s");
        assertEquals("0", callback.header(CallHeaders.RETRY).orElseThrow(),
                "every earlier delivery was a free return (429 while paced, or shutdown), none a retry");
    }

    private QueueWorker worker(JetStreamQueue queue, KvStatusStore store) {
        HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(http.baseUrl()).timeout(Duration.ofSeconds(10)).build();
        QueueWorker worker = QueueWorker.builder().name(queue.name())
                .consumer(StaticConsumerStrategy.builder(queue).ackWait(Duration.ofSeconds(5)).build())
                .invoker(invoker)
                .retryPolicy(new RetryPolicy(10, RetryPolicy.DEFAULT_RETRY_CODES, Duration.ofMillis(100),
                        Duration.ofMillis(100), Backoff.EXPONENTIAL))
                .rejectionsWaitInQueue(true, Duration.ofMillis(50))
                .freeReturns(store.freeReturns())
                .pollWait(Duration.ofMillis(200))
                .shutdownGrace(Duration.ofSeconds(2))
                .build();
        toClose.add(invoker);
        toClose.add(worker);
        return worker;
    }
}
