package dev.asyncqueue.benchmarks.http;

import org.eclipse.jetty.client.BufferingResponseListener;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpMethod;

import java.net.URI;

/** Jetty 12's {@link HttpClient}: asynchronous {@code send(listener)}, as many connections as calls open. */
final class JettyLoop {
    private JettyLoop() {
    }

    static HttpLoop create(URI url, int concurrency, byte[] body) throws Exception {
        HttpClient client = new HttpClient();
        client.setMaxConnectionsPerDestination(concurrency);
        client.setFollowRedirects(false);
        client.start();
        return new AsyncLoop(concurrency) {
            @Override
            void start(Outcome outcome) {
                client.newRequest(url).method(HttpMethod.POST)
                        .body(new BytesRequestContent("application/octet-stream", body))
                        .send(new BufferingResponseListener() {
                            @Override
                            public void onComplete(Result result) {
                                outcome.ended(result.getResponse() == null ? 0 : result.getResponse().getStatus(),
                                        result.getFailure());
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
