package dev.asyncqueue.examples;

import dev.asyncqueue.examples.localnats.LocalNatsServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;

/**
 * What tests of the example app running in process share: one nats-server per class with a
 * connection to inspect it, an HTTP client, and closing what a test started.
 */
public abstract class RunningAppTest {
    protected static LocalNatsServer nats;
    protected static Connection inspector;
    protected final HttpClient client = HttpClient.newHttpClient();
    /** Closed after each test, last opened first. */
    protected final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startNats() throws Exception {
        nats = LocalNatsServer.start();
        inspector = Nats.connect(nats.url());
    }

    @AfterAll
    static void stopNats() throws Exception {
        inspector.close();
        nats.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }
}
