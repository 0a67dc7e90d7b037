package dev.asyncqueue.examples;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The ingest port's HTTP server (the JDK's own): its threads bounded by {@link IngestLimits}, requests past
 * them answered 503 ({@link IngestExecutor}), and header limits the ingest, not the JDK, enforces.
 *
 * <p>The JDK's server drops the connection without an answer when a request has more header names or header
 * bytes than its limits (system properties read once per JVM, when its first server starts). So the app
 * raises those limits well above the ingest's own ({@link IngestHandler#MAX_HEADER_LINES},
 * {@link IngestHandler#MAX_HEADER_BYTES}), and the ingest answers 431 to what lies between; the JDK's raised
 * limits still bound the memory one request can take. An explicit {@code -D} value is kept.
 */
final class IngestServer implements AutoCloseable {
    /** {@code sun.net.httpserver.maxReqHeaders}: header names the JDK's server reads before dropping a request. */
    static final String JDK_MAX_HEADERS = "sun.net.httpserver.maxReqHeaders";
    /** {@code sun.net.httpserver.maxReqHeaderSize}: header bytes the JDK's server reads before dropping a request. */
    static final String JDK_MAX_HEADER_SIZE = "sun.net.httpserver.maxReqHeaderSize";
    static final int JDK_MAX_HEADERS_VALUE = 2000;
    static final int JDK_MAX_HEADER_SIZE_VALUE = 1024 * 1024;

    private final HttpServer server;
    private final IngestExecutor executor;

    /** Binds the port (0 picks a free one); {@link #start()} serves. */
    IngestServer(int port, IngestLimits limits) throws IOException {
        raiseJdkHeaderLimits();
        executor = new IngestExecutor(limits.threads(), limits.queueSize());
        try {
            server = HttpServer.create(new InetSocketAddress(port), 128);
        } catch (IOException | RuntimeException e) {
            executor.close();
            throw e;
        }
        server.setExecutor(executor);
    }

    /**
     * Sets the JDK server's header limits unless already set. Effective only before the JVM's first
     * {@code HttpServer} starts, which is why {@code main} calls it first of all.
     */
    static void raiseJdkHeaderLimits() {
        if (System.getProperty(JDK_MAX_HEADERS) == null) {
            System.setProperty(JDK_MAX_HEADERS, Integer.toString(JDK_MAX_HEADERS_VALUE));
        }
        if (System.getProperty(JDK_MAX_HEADER_SIZE) == null) {
            System.setProperty(JDK_MAX_HEADER_SIZE, Integer.toString(JDK_MAX_HEADER_SIZE_VALUE));
        }
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
