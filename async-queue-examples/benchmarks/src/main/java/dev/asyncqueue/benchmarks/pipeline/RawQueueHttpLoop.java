package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.CallHeaders;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;

import java.net.URI;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cheapest worker one can write on the same pieces: pull as many stored messages as the window has room
 * for (one long-lived jnats pull subscription), POST to the function with Apache HttpClient 5 async configured
 * as the plain {@code apache-async} loop of {@code bin/benchmark http} (one I/O reactor thread per processor,
 * as many pooled connections as calls in flight), ack on the answer. Nothing decoded, no bookkeeping: what the
 * queue itself costs beside the HTTP calls. The floor of the worker-over-HTTP rows, and the worker half of the
 * end-to-end raw pair.
 */
final class RawQueueHttpLoop implements AutoCloseable {
    private final CloseableHttpAsyncClient client;
    private final URI url;
    /** What every call posts; empty when each posts its message's data as stored. */
    private final byte[] fixedBody;
    private final int window;
    private final AtomicLong failed = new AtomicLong();
    private volatile boolean stopped;

    /** A loop posting the same body with every call, as a worker posts a stored invocation's decoded body. */
    static RawQueueHttpLoop postingBody(URI url, byte[] body, int window) {
        return new RawQueueHttpLoop(url, body.clone(), window);
    }

    /**
     * A loop posting each message's data as stored, with its {@code Nats-Msg-Id} as the call id: the bare
     * ingest of the raw pair stores the caller's body itself.
     */
    static RawQueueHttpLoop postingMessageData(URI url, int window) {
        return new RawQueueHttpLoop(url, new byte[0], window);
    }

    private RawQueueHttpLoop(URI url, byte[] fixedBody, int window) {
        this.client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(window).setMaxConnPerRoute(window).build())
                .setIOReactorConfig(IOReactorConfig.custom()
                        .setIoThreadCount(Math.max(1, Runtime.getRuntime().availableProcessors())).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
                .disableConnectionState().build();
        client.start();
        this.url = url;
        this.fixedBody = fixedBody;
        this.window = window;
    }

    /** Calls that failed (transport error or not a 2xx); they are acked too. */
    long failed() {
        return failed.get();
    }

    /**
     * Pulls, calls and acks until {@code count} messages were pulled (or {@link #stop()}), then waits for their
     * calls to be acked.
     */
    void run(JetStreamSubscription subscription, long count) throws InterruptedException {
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
        SimpleRequestBuilder request = SimpleRequestBuilder.post(url)
                .setBody(fixedBody.length > 0 ? fixedBody : message.getData(), ContentType.APPLICATION_OCTET_STREAM);
        String callId = message.getHeaders() == null ? null : message.getHeaders().getFirst("Nats-Msg-Id");
        if (callId != null) request.setHeader(CallHeaders.CALL_ID, callId);
        client.execute(request.build(), new FutureCallback<SimpleHttpResponse>() {
            @Override
            public void completed(SimpleHttpResponse response) {
                if (response.getCode() >= 300) failed.incrementAndGet();
                done();
            }

            @Override
            public void failed(Exception e) {
                failed.incrementAndGet();
                done();
            }

            @Override
            public void cancelled() {
                failed.incrementAndGet();
                done();
            }

            private void done() {
                message.ack();
                slots.release();
            }
        });
    }

    /** Ends {@link #run} after its current pull, for a loop started without a count. */
    void stop() {
        stopped = true;
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
    }
}
