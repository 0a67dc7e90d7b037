package dev.asyncqueue.benchmarks.ingest;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * Jetty 12's core server (no servlets): a non-blocking handler reads the body asynchronously and completes the
 * response when the action's stage completes, on its default thread pool and one connector.
 */
final class JettyBareServer implements BareServer {
    private static final int MAX_BODY = 1024 * 1024;

    private final Server server;
    private final ServerConnector connector;

    private JettyBareServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    static JettyBareServer start(Action action) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("bare-jetty");
        threads.setDaemon(true);
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server);
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract.NonBlocking() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Content.Source.asByteArrayAsync(request, MAX_BODY)
                        .thenCompose(body -> action.apply(body))
                        .whenComplete((done, error) -> {
                            response.setStatus(error == null ? 202 : 500);
                            callback.succeeded();
                        });
                return true;
            }
        });
        server.start();
        return new JettyBareServer(server, connector);
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("stopping Jetty", e);
        }
    }
}
