package dev.asyncqueue.benchmarks.http;

import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpMethod;

import java.net.URI;
import java.util.List;

/** Jetty 12's {@link HttpClient}: asynchronous {@code send(listener)}, as many connections as calls open. */
final class JettyLoop {
    private JettyLoop() {
    }

    static HttpLoop create(List<URI> urls, int concurrency, byte[] body) throws Exception {
        HttpClient client = new HttpClient();
        client.setMaxConnectionsPerDestination(concurrency);
        client.setFollowRedirects(false);
        client.start();
        return new AsyncLoop(urls, concurrency, body) {
            @Override
            void start(URI url, byte[] content, Outcome outcome) {
                client.newRequest(url).method(HttpMethod.POST)
                        .body(new BytesRequestContent("application/octet-stream", content))
                        .send(new BufferingResponseListener() {
                            @Override
                            public void onComplete(Result result) {
                                outcome.ended(result.getResponse() == null ? 0 : result.getResponse().getStatus(),
                                        getContent(), result.getFailure());
                            }
                        });
            }

            @Override
            public void close() throws Exception {
                client.stop();
            }
        };
    }
}
