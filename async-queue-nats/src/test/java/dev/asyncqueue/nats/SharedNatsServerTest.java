package dev.asyncqueue.nats;

import dev.asyncqueue.nats.testing.LocalNatsServer;
import dev.asyncqueue.testing.RecordingHttpServer;
import io.nats.client.Connection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the NATS test classes share: one nats-server per class (tests keep apart by queue name), a
 * fresh loopback HTTP server per test for functions and callbacks, and closing what a test opened.
 */
abstract class SharedNatsServerTest {
    protected static LocalNatsServer server;
    protected static Connection connection;
    protected RecordingHttpServer http;
    /** Closed after each test, last opened first. */
    protected final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        server = LocalNatsServer.start();
        connection = NatsTestServer.connect(server);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (connection != null) connection.close();
        if (server != null) server.close();
    }

    @BeforeEach
    void startHttp() {
        http = RecordingHttpServer.start();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
        http.close();
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@code timeout}. */
    static void awaitTrue(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
