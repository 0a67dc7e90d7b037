package dev.asyncqueue.benchmarks.http;

import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** OkHttp 5: blocking {@code execute} on {@code concurrency} threads, a pool of as many idle connections per server called. */
final class OkHttpLoop {
    private OkHttpLoop() {
    }

    static HttpLoop create(List<URI> urls, int concurrency, byte[] body) {
        OkHttpClient client = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(concurrency * urls.size(), 5, TimeUnit.MINUTES))
                .protocols(List.of(Protocol.HTTP_1_1))
                .followRedirects(false)
                .retryOnConnectionFailure(false)
                .build();
        MediaType type = MediaType.get("application/octet-stream");
        return new BlockingLoop("okhttp", urls, concurrency, body) {
            @Override
            Answer call(URI url, byte[] content) throws Exception {
                Request request = new Request.Builder().url(url.toString()).post(RequestBody.create(content, type)).build();
                try (Response response = client.newCall(request).execute()) {
                    ResponseBody answer = response.body();
                    return new Answer(response.code(), answer.bytes());
                }
            }

            @Override
            void closeClient() {
                client.dispatcher().executorService().shutdown();
                client.connectionPool().evictAll();
            }
        };
    }
}
