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
 * The worker half of the end-to-end raw pair: pull as many messages as the window has room for through one
 * long-lived subscription, POST each message's data as it came to the function with the fastest plain Java
 * client at this concurrency (Apache HttpClient 5 async, one I/O reactor thread per processor, as many pooled
 * connections as calls in flight), ack on the answer. Nothing is decoded: the call id is the {@code Nats-Msg-Id}.
 */
final class RawPairFloor implements AutoCloseable {
    private final CloseableHttpAsyncClient client;
    private final URI url;
    private final int window;
    private final AtomicLong failed = new AtomicLong();

    RawPairFloor(URI gatewayUrl, String function, int window) {
        this.client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(window).setMaxConnPerRoute(window).build())
                .setIOReactorConfig(IOReactorConfig.custom()
                        .setIoThreadCount(Math.max(1, Runtime.getRuntime().availableProcessors())).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
                .disableConnectionState().build();
        this.client.start();
        this.url = URI.create(gatewayUrl + "/function/" + function);
        this.window = window;
    }

    /** Calls that failed (transport error or non-2xx); they are acked too. */
    long failed() {
        return failed.get();
    }

    /** Pulls, calls and acks until {@code count} messages were pulled, then waits for their calls to be answered and acked. */
    void run(JetStreamSubscription subscription, long count) throws InterruptedException {
        Semaphore slots = new Semaphore(window);
        long pulled = 0;
        while (pulled < count) {
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
                .setBody(message.getData(), ContentType.APPLICATION_OCTET_STREAM);
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

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
    }
}
