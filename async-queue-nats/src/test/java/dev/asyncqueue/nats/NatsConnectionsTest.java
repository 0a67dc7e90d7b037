package dev.asyncqueue.nats;

import dev.asyncqueue.config.Settings;
import dev.asyncqueue.nats.testing.LocalNatsServer;
import dev.asyncqueue.testing.CapturedLog;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Options;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The connection an embedder gets from {@link NatsConnections}: named, reconnecting for ever with back-off, logging through SLF4J. */
class NatsConnectionsTest extends SharedNatsServerTest {

    @Test
    void aConnectionFromAUrlIsNamedReconnectsForEverAndReportsErrorsThroughSlf4j() throws Exception {
        try (Connection nats = NatsConnections.connect(server.url(), "orders-app")) {
            Options options = nats.getOptions();

            assertEquals(Connection.Status.CONNECTED, nats.getStatus());
            assertEquals("orders-app", options.getConnectionName());
            assertEquals(-1, options.getMaxReconnect(), "reconnects for ever");
            assertTrue(options.getReconnectDelayHandler() != null, "waits between rounds by our back-off");
            assertEquals("dev.asyncqueue.nats.NatsConnections$Slf4jErrorListener",
                    options.getErrorListener().getClass().getName(), "not jnats' java.util.logging listener");
        }
    }

    @Test
    void theWaitBetweenReconnectRoundsGrowsFromAQuarterSecondToOneSecondWithJitter() {
        assertBetween(NatsConnections.reconnectWait(1), 250, 350);
        assertBetween(NatsConnections.reconnectWait(2), 500, 600);
        for (long round = 3; round < 1000; round *= 3) assertBetween(NatsConnections.reconnectWait(round), 1000, 1100);
        long distinct = java.util.stream.LongStream.range(0, 50)
                .map(i -> NatsConnections.reconnectWait(5).toMillis()).distinct().count();
        assertNotEquals(1L, distinct, "jittered, so workers do not reconnect in step");
    }

    @Test
    void aServerThatIsNotThereFailsNamingIt() {
        IOException failed = assertThrows(IOException.class,
                () -> NatsConnections.connect(dev.asyncqueue.config.Settings.of(java.util.Map.of(
                        "nats_url", "nats://127.0.0.1:1", "nats_connect_timeout", "1s")), "nowhere"));
        assertTrue(failed.getMessage().contains("nats://127.0.0.1:1"), failed.getMessage());
    }

    @Test
    void anOutageIsOneWarningNotOnePerReconnectAttemptAndTheReconnectIsSaid() throws Exception {
        AtomicInteger disconnects = new AtomicInteger();
        AtomicInteger reconnects = new AtomicInteger();
        try (LocalNatsServer own = LocalNatsServer.start(); CapturedLog log = CapturedLog.start()) {
            Options options = NatsConnections.options(Settings.of(Map.of("nats_url", own.url())), "outage", event -> {
                if (event == ConnectionListener.Events.DISCONNECTED) disconnects.incrementAndGet();
                if (event == ConnectionListener.Events.RECONNECTED) reconnects.incrementAndGet();
            }).build();
            try (Connection nats = NatsConnections.connect(options)) {
                own.stop();
                awaitTrue("several reconnect rounds failed", Duration.ofSeconds(20), () -> disconnects.get() >= 3);
                own.launch();
                awaitTrue("reconnected", Duration.ofSeconds(20), () -> reconnects.get() == 1);

                assertEquals(1, log.text().split("NATS disconnected", -1).length - 1, log.text());
                assertEquals(Connection.Status.CONNECTED, nats.getStatus());
            }
        }
    }

    private static void assertBetween(Duration wait, long lowMillis, long highMillis) {
        assertTrue(wait.toMillis() >= lowMillis && wait.toMillis() < highMillis, wait + " not in [" + lowMillis + ", "
                + highMillis + ") ms");
    }
}
