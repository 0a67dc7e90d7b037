package dev.asyncqueue.nats;

import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;

/** Opens NATS connections from settings, reconnecting for ever, with state changes logged. */
public final class NatsConnections {
    private static final Logger log = LoggerFactory.getLogger(NatsConnections.class);

    private NatsConnections() {
    }

    /** The server URL: {@code nats_url}, else {@code nats://<nats_host>:<nats_port>}. */
    public static String url(Settings settings) {
        String url = settings.get("nats_url").orElseGet(() -> "nats://" + settings.string("nats_host", "127.0.0.1")
                + ":" + settings.integer("nats_port", 4222, 1, 65535));
        for (String one : url.split(",")) {
            URI uri;
            try {
                uri = URI.create(one.trim());
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(settings.get("nats_url").isPresent() ? "nats_url" : "nats_host",
                        "not a NATS URL: '" + one + "'");
            }
            if (uri.getHost() == null) {
                throw new ConfigurationException(settings.get("nats_url").isPresent() ? "nats_url" : "nats_host",
                        "expected nats://host:port, got '" + one + "'");
            }
        }
        return url;
    }

    /** Options for {@link #url(Settings)} with endless reconnects; {@code onEvent} hears every state change. */
    public static Options.Builder options(Settings settings, String connectionName, Consumer<ConnectionListener.Events> onEvent) {
        Options.Builder builder = Options.builder();
        String auth = NatsAuth.apply(settings, builder);
        log.debug("NATS authentication: {}", auth);
        return builder
                .servers(url(settings).split(","))
                .connectionName(connectionName)
                .connectionTimeout(settings.duration("nats_connect_timeout", Duration.ofSeconds(5)))
                .maxReconnects(-1)
                .reconnectWait(Duration.ofSeconds(1))
                .errorListener(new Slf4jErrorListener())
                .connectionListener((conn, event) -> {
                    switch (event) {
                        case DISCONNECTED -> log.warn("NATS disconnected");
                        case RECONNECTED -> log.info("NATS reconnected to {}", redact(conn.getConnectedUrl()));
                        case CONNECTED -> log.info("NATS connected to {}", redact(conn.getConnectedUrl()));
                        case CLOSED -> log.info("NATS connection closed");
                        default -> log.debug("NATS {}", event);
                    }
                    onEvent.accept(event);
                });
    }

    /** Sends the client's asynchronous errors to SLF4J instead of java.util.logging. */
    private static final class Slf4jErrorListener implements ErrorListener {
        @Override
        public void errorOccurred(Connection conn, String error) {
            log.warn("NATS error: {}", error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            // Expected while the server is unreachable; the connection listener already says so.
            log.debug("NATS connection exception: {}", exp.toString());
        }

        @Override
        public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            log.warn("NATS slow consumer detected");
        }
    }

    /** Connects, or fails with a message naming the server. */
    public static Connection connect(Settings settings, String connectionName) throws IOException {
        return connect(options(settings, connectionName, e -> { }).build());
    }

    /** Connects with ready options, or fails with a message naming the servers. */
    public static Connection connect(Options options) throws IOException {
        try {
            return Nats.connect(options);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to NATS", e);
        } catch (IOException e) {
            throw new IOException("cannot connect to NATS at " + redact(options.getServers().toString()) + ": "
                    + redact(e.getMessage()), e);
        }
    }

    /** Masks credentials written into URLs ({@code nats://user:password@host}), for messages and logs. */
    static String redact(String text) {
        return text == null ? null : text.replaceAll("(?<=://)[^/@\\s,\\]]+@", "****@");
    }
}
