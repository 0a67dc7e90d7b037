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
import java.util.List;

/** Apache HttpClient 5, classic (blocking, pooled connections) and async (its I/O reactor). */
final class ApacheLoops {
    private ApacheLoops() {
    }

    /** Classic: {@code execute} on {@code concurrency} threads, a pool of as many connections to each server called. */
    static HttpLoop classic(List<URI> urls, int concurrency, byte[] body) {
        CloseableHttpClient client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(concurrency * urls.size()).setMaxConnPerRoute(concurrency).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
                .disableContentCompression().disableConnectionState().build();
        return new BlockingLoop("apache-classic", urls, concurrency, body) {
            @Override
            Answer call(URI url, byte[] content) throws Exception {
                HttpPost post = new HttpPost(url);
                post.setEntity(new ByteArrayEntity(content, ContentType.APPLICATION_OCTET_STREAM));
                return client.execute(post, response -> new Answer(response.getCode(),
                        EntityUtils.toByteArray(response.getEntity())));
            }

            @Override
            void closeClient() {
                client.close(CloseMode.IMMEDIATE);
            }
        };
    }

    /** Async: {@code execute} with a callback, at most {@code concurrency} calls open, one reactor thread per processor. */
    static HttpLoop async(List<URI> urls, int concurrency, byte[] body) {
        CloseableHttpAsyncClient client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(concurrency * urls.size()).setMaxConnPerRoute(concurrency).build())
                .setIOReactorConfig(IOReactorConfig.custom()
                        .setIoThreadCount(Math.max(1, Runtime.getRuntime().availableProcessors())).build())
                .disableRedirectHandling().disableAutomaticRetries().disableCookieManagement()
                .disableConnectionState().build();
        client.start();
        return new AsyncLoop(urls, concurrency, body) {
            @Override
            void start(URI url, byte[] content, Outcome outcome) {
                SimpleHttpRequest request = SimpleRequestBuilder.post(url)
                        .setBody(content, ContentType.APPLICATION_OCTET_STREAM).build();
                client.execute(request, new FutureCallback<SimpleHttpResponse>() {
                    @Override
                    public void completed(SimpleHttpResponse response) {
                        outcome.ended(response.getCode(), response.getBodyBytes(), null);
                    }

                    @Override
                    public void failed(Exception e) {
                        outcome.ended(0, null, e);
                    }

                    @Override
                    public void cancelled() {
                        outcome.ended(0, null, new IllegalStateException("cancelled"));
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
