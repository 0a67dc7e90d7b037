package dev.asyncqueue.benchmarks.http;

import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;

import java.net.URI;

/** Apache HttpClient 5, classic (blocking, pooled connections) and async (its I/O reactor). */
final class ApacheLoops {
    private ApacheLoops() {
    }

    /** Classic: {@code execute} on {@code concurrency} threads, a pool of as many connections. */
    static HttpLoop classic(URI url, int concurrency, byte[] body) {
        CloseableHttpClient client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(concurrency).setMaxConnPerRoute(concurrency).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
                .disableContentCompression().disableConnectionState().build();
        return new BlockingLoop("apache-classic", concurrency) {
            @Override
            int call() throws Exception {
                HttpPost post = new HttpPost(url);
                post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_OCTET_STREAM));
                return client.execute(post, response -> {
                    EntityUtils.toByteArray(response.getEntity());
                    return response.getCode();
                });
            }

            @Override
            void closeClient() {
                client.close(CloseMode.IMMEDIATE);
            }
        };
    }

    /** Async: {@code execute} with a callback, at most {@code concurrency} calls open, one reactor thread per processor. */
    static HttpLoop async(URI url, int concurrency, byte[] body) {
        CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(concurrency).setMaxConnPerRoute(concurrency).build())
                .setIOReactorConfig(IOReactorConfig.custom()
                        .setIoThreadCount(Math.max(1, Runtime.getRuntime().availableProcessors())).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
                .disableConnectionState().build();
        client.start();
        return new AsyncLoop(concurrency) {
            @Override
            void start(Outcome outcome) {
                SimpleHttpRequest request = SimpleRequestBuilder.post(url)
                        .setBody(body, ContentType.APPLICATION_OCTET_STREAM).build();
                client.execute(request, new FutureCallback<SimpleHttpResponse>() {
                    @Override
                    public void completed(SimpleHttpResponse response) {
                        outcome.ended(response.getCode(), null);
                    }

                    @Override
                    public void failed(Exception e) {
                        outcome.ended(0, e);
                    }

                    @Override
                    public void cancelled() {
                        outcome.ended(0, new IllegalStateException("cancelled"));
                    }
                });
            }

            @Override
            public void close() {
                client.close(CloseMode.GRACEFUL);
            }
        };
    }
}
