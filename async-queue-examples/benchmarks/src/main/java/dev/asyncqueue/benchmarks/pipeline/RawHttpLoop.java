package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.internal.Threads;
import dev.asyncqueue.http.HttpInvoker;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.Iterator;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor for calls over HTTP: pull as many messages as the window has room for, POST a fixed body to the
 * function with an {@code HttpClient} configured as {@link HttpInvoker}'s JDK engine configures its own (HTTP/1.1,
 * same executor size, connect timeout and redirect policy), ack on the response. No decoding: the call id is the
 * {@code Nats-Msg-Id} header.
 */
final class RawHttpLoop implements AutoCloseable {
    private final ExecutorService executor;
    private final HttpClient client;
    private final URI url;
    private final byte[] body;
    private final int window;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean stopped;

    RawHttpLoop(URI gatewayUrl, String function, byte[] body, int window) {
        this.executor = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                Threads.named("raw-http"));
        this.client = HttpClient.newBuilder()
                .executor(executor)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.url = URI.create(gatewayUrl + "/function/" + function);
        this.body = body.clone();
        this.window = window;
    }

    /** Calls acked so far. */
    long acked() {
        return acked.get();
    }

    /** Calls that failed (transport error or non-2xx); they are acked too. */
    long failed() {
        return failed.get();
    }

    /**
     * Pulls, calls and acks until {@code count} messages were pulled (or {@link #stop()}), then waits for their
     * calls to be answered and acked.
     */
    void run(JetStreamSubscription subscription, long count) throws Exception {
        Semaphore slots = new Semaphore(window);
        long pulled = 0;
        while (pulled < count && !stopped) {
            if (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) continue;
            int free = 1 + slots.drainPermits();
            int want = (int) Math.min(free, count - pulled);
            int used = 0;
            try {
                Iterator<Message> messages = subscription.iterate(want, Duration.ofSeconds(1));
                while (messages.hasNext()) {
                    used++;
                    call(messages.next(), slots);
                }
            } finally {
                pulled += used;
                slots.release(free - used);
            }
        }
        slots.acquire(window);
        slots.release(window);
    }

    private void call(Message message, Semaphore slots) {
        String callId = message.getHeaders() == null ? null : message.getHeaders().getFirst("Nats-Msg-Id");
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .version(HttpClient.Version.HTTP_1_1)
                .timeout(Duration.ofMinutes(1))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .setHeader("User-Agent", HttpInvoker.USER_AGENT);
        if (callId != null) request.header(CallHeaders.CALL_ID, callId);
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, error) -> {
            if (error != null || response.statusCode() >= 300) failed.incrementAndGet();
            message.ack();
            acked.incrementAndGet();
            slots.release();
        });
    }

    /** Makes {@link #run} stop pulling (within its fetch's expiry, 1 s). */
    void stop() {
        stopped = true;
    }

    @Override
    public void close() {
        stopped = true;
        executor.shutdownNow();
    }
}
