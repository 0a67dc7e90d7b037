package dev.asyncqueue.benchmarks.pipeline;

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
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The end-to-end load: posts a fixed body to an ingest with at most {@code window} posts outstanding, through
 * Apache HttpClient 5 async (one I/O reactor thread, as many pooled connections as the window), the cheapest
 * driver this JVM has, the same for the library and the raw pair.
 */
final class IngestDriver implements AutoCloseable {
    private final CloseableHttpAsyncClient client;
    private final int window;

    IngestDriver(int window) {
        this.client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(window).setMaxConnPerRoute(window).build())
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
                .disableConnectionState().build();
        this.client.start();
        this.window = window;
    }

    /** Posts {@code body} {@code n} times to {@code url}; returns once every post was answered, with how many were not 202. */
    long post(URI url, byte[] body, int n) throws InterruptedException {
        Semaphore open = new Semaphore(window);
        AtomicLong refused = new AtomicLong();
        for (int i = 0; i < n; i++) {
            open.acquire();
            client.execute(SimpleRequestBuilder.post(url).setBody(body, ContentType.APPLICATION_OCTET_STREAM).build(),
                    new FutureCallback<SimpleHttpResponse>() {
                        @Override
                        public void completed(SimpleHttpResponse response) {
                            if (response.getCode() != 202) refused.incrementAndGet();
                            open.release();
                        }

                        @Override
                        public void failed(Exception e) {
                            refused.incrementAndGet();
                            open.release();
                        }

                        @Override
                        public void cancelled() {
                            refused.incrementAndGet();
                            open.release();
                        }
                    });
        }
        open.acquire(window);
        open.release(window);
        return refused.get();
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
    }
}
