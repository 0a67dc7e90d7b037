package dev.asyncqueue.examples;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The ingest port's HTTP server (the JDK's own): its threads bounded by {@link IngestLimits}, requests past
 * them answered 503 ({@link IngestExecutor}).
 */
final class IngestServer implements AutoCloseable {
    private final HttpServer server;
    private final IngestExecutor executor;

    /** Binds the port (0 picks a free one); {@link #start()} serves. */
    IngestServer(int port, IngestLimits limits) throws IOException {
        executor = new IngestExecutor(limits.threads(), limits.queueSize());
        try {
            server = HttpServer.create(new InetSocketAddress(port), 128);
        } catch (IOException | RuntimeException e) {
            executor.close();
            throw e;
        }
        server.setExecutor(executor);
    }

    /** Serves {@code path} with {@code handler}; when the ingest has no room, the request is answered 503. */
    void serve(String path, HttpHandler handler) {
        server.createContext(path, handler).getFilters().add(executor.filter());
    }

    /** Serves {@code path} with {@code handler} even when the ingest has no room (health checks). */
    void serveAlways(String path, HttpHandler handler) {
        server.createContext(path, handler);
    }

    /** Starts serving. */
    void start() {
        server.start();
    }

    /** Requests waiting for a thread now. */
    int waiting() {
        return executor.waiting();
    }

    /** The port listened on. */
    int port() {
        return server.getAddress().getPort();
    }

    /** Stops listening, gives exchanges a second to finish, and stops the threads. */
    @Override
    public void close() {
        server.stop(1);
        executor.close();
    }
}
