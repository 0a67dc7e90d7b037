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

/** OkHttp 5: blocking {@code execute} on {@code concurrency} threads, a pool of as many idle connections. */
final class OkHttpLoop {
    private OkHttpLoop() {
    }

    static HttpLoop create(URI url, int concurrency, byte[] body) {
        OkHttpClient client = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(concurrency, 5, TimeUnit.MINUTES))
                .protocols(List.of(Protocol.HTTP_1_1))
                .followRedirects(false)
                .retryOnConnectionFailure(false)
                .build();
        RequestBody content = RequestBody.create(body, MediaType.get("application/octet-stream"));
        Request request = new Request.Builder().url(url.toString()).post(content).build();
        return new BlockingLoop("okhttp", concurrency) {
            @Override
            int call() throws Exception {
                try (Response response = client.newCall(request).execute()) {
                    ResponseBody answer = response.body();
                    answer.bytes();
                    return response.code();
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
