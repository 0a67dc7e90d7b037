package dev.asyncqueue.nats;

import io.nats.client.Connection;
import io.nats.client.Options;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

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

    private static void assertBetween(Duration wait, long lowMillis, long highMillis) {
        assertTrue(wait.toMillis() >= lowMillis && wait.toMillis() < highMillis, wait + " not in [" + lowMillis + ", "
                + highMillis + ") ms");
    }
}
