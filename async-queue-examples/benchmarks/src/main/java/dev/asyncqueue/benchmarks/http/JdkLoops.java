package dev.asyncqueue.benchmarks.http;

import dev.asyncqueue.internal.Threads;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** The JDK's {@link HttpClient}, configured as the library's JDK engine configures it: asynchronous, and blocking. */
final class JdkLoops {
    private JdkLoops() {
    }

    private static HttpRequest request(URI url, byte[] body) {
        return HttpRequest.newBuilder(url).version(HttpClient.Version.HTTP_1_1).timeout(Duration.ofMinutes(1))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private static HttpClient client(ExecutorService executor) {
        return HttpClient.newBuilder().executor(executor).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private static ExecutorService executor() {
        return Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                Threads.named("bench-jdk-client"));
    }

    /** {@code sendAsync}, at most {@code concurrency} calls open. */
    static HttpLoop async(List<URI> urls, int concurrency, byte[] body) {
        ExecutorService executor = executor();
        HttpClient client = client(executor);
        return new AsyncLoop(urls, concurrency, body) {
            @Override
            void start(URI url, byte[] content, Outcome outcome) {
                client.sendAsync(request(url, content), HttpResponse.BodyHandlers.ofByteArray())
                        .whenComplete((r, e) -> outcome.ended(r == null ? 0 : r.statusCode(), r == null ? null : r.body(), e));
            }

            @Override
            public void close() {
                executor.shutdownNow();
            }
        };
    }

    /** {@code send} on {@code concurrency} threads of the loop's own. */
    static HttpLoop blocking(List<URI> urls, int concurrency, byte[] body) {
        ExecutorService executor = executor();
        HttpClient client = client(executor);
        return new BlockingLoop("jdk-blocking", urls, concurrency, body) {
            @Override
            Answer call(URI url, byte[] content) throws Exception {
                HttpResponse<byte[]> response = client.send(request(url, content), HttpResponse.BodyHandlers.ofByteArray());
                return new Answer(response.statusCode(), response.body());
            }

            @Override
            void closeClient() {
                executor.shutdownNow();
            }
        };
    }
}
