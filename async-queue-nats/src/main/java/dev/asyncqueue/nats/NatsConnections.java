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
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The way to connect to NATS for this library: {@link #connect(String, String)} with a URL, or
 * {@link #connect(Settings, String)} with the settings below. Unlike jnats' own defaults (60 reconnects, errors to
 * java.util.logging), a connection made here reconnects for ever, waiting 250 ms, 500 ms, then a second between
 * rounds (with jitter); it logs its state changes and the client's errors through SLF4J
 * ({@code dev.asyncqueue.nats.NatsConnections}), and carries a name the server shows in its connection list.
 *
 * <p>This is also the nats module's one door for configuration: the settings below are all it reads, each
 * validated with an error naming the variable. Use one way of authenticating, not several.
 *
 * <table>
 *   <caption>settings read by the nats module</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code nats_url}</td><td>unset</td><td>server URL(s), comma-separated ({@code nats://host:port});
 *       overrides host and port</td></tr>
 *   <tr><td>{@code nats_host} / {@code nats_port}</td><td>{@code 127.0.0.1} / {@code 4222}</td><td>the server when
 *       {@code nats_url} is unset</td></tr>
 *   <tr><td>{@code nats_connect_timeout}</td><td>{@code 5s}</td><td>a connection (and wrong credentials) fails after
 *       this long</td></tr>
 *   <tr><td>{@code nats_user} + {@code nats_password}</td><td>unset</td><td>user and password</td></tr>
 *   <tr><td>{@code nats_token}</td><td>unset</td><td>token</td></tr>
 *   <tr><td>{@code nats_nkey_seed} or {@code nats_nkey_seed_file}</td><td>unset</td><td>NKey user seed
 *       ({@code SU...}), or a file holding it</td></tr>
 *   <tr><td>{@code nats_credentials}</td><td>unset</td><td>path of a {@code .creds} file (JWT and seed)</td></tr>
 *   <tr><td>{@code nats_tls_ca}</td><td>unset</td><td>PEM file of the CA certificate(s) to trust; implies TLS</td></tr>
 *   <tr><td>{@code nats_tls_insecure}</td><td>{@code false}</td><td>TLS without verifying the server (testing
 *       only)</td></tr>
 * </table>
 *
 * <p>Secrets go straight into the client's options and appear in no message, log line or {@code toString()}.
 */
public final class NatsConnections {
    private static final Logger log = LoggerFactory.getLogger(NatsConnections.class);

    private NatsConnections() {
    }

    /** The server URL: {@code nats_url}, else {@code nats://<nats_host>:<nats_port>}. */
    public static String url(Settings settings) {
        return NatsSettings.url(settings);
    }

    /**
     * Checks every setting in the table, reading the files they name, without connecting.
     *
     * @throws ConfigurationException naming the first variable whose value is wrong
     */
    public static void validate(Settings settings) {
        NatsAuth.apply(NatsSettings.read(settings), Options.builder());
    }

    /**
     * Options for {@link #url(Settings)} with the defaults above (endless reconnects with back-off, SLF4J); {@code
     * onEvent} hears every state change, e.g. {@link NatsMetrics#connectionEvent} to count reconnects.
     */
    public static Options.Builder options(Settings settings, String connectionName, Consumer<ConnectionListener.Events> onEvent) {
        NatsSettings nats = NatsSettings.read(settings);
        Options.Builder builder = Options.builder();
        String auth = NatsAuth.apply(nats, builder);
        log.debug("NATS authentication: {}", auth);
        // jnats reports DISCONNECTED after every failed reconnect round: warned about once per outage.
        AtomicBoolean down = new AtomicBoolean();
        return builder
                .servers(nats.url().split(","))
                .connectionName(connectionName)
                .connectionTimeout(nats.connectTimeout())
                .maxReconnects(-1)
                .reconnectDelayHandler(NatsConnections::reconnectWait)
                .errorListener(new Slf4jErrorListener())
                .connectionListener((conn, event) -> {
                    switch (event) {
                        case DISCONNECTED -> {
                            if (down.compareAndSet(false, true)) {
                                log.warn("NATS disconnected; reconnecting (further attempts logged at debug)");
                            } else {
                                log.debug("NATS still disconnected");
                            }
                        }
                        case RECONNECTED -> {
                            down.set(false);
                            log.info("NATS reconnected to {}", redact(conn.getConnectedUrl()));
                        }
                        case CONNECTED -> {
                            down.set(false);
                            log.info("NATS connected to {}", redact(conn.getConnectedUrl()));
                        }
                        case CLOSED -> log.info("NATS connection closed");
                        default -> log.debug("NATS {}", event);
                    }
                    onEvent.accept(event);
                });
    }

    /**
     * The wait before reconnect round {@code round}: short for a blip, then once a second, so a fleet of workers
     * does not hammer a server that is coming back; jitter keeps them from arriving together.
     */
    static Duration reconnectWait(long round) {
        long millis = round <= 1 ? 250 : round == 2 ? 500 : 1000;
        return Duration.ofMillis(millis + ThreadLocalRandom.current().nextLong(100));
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

    /**
     * Connects to {@code url} ({@code nats://host:port}, comma-separated for several servers) with the defaults
     * above, or fails with a message naming the server.
     *
     * @param connectionName what the server's connection list calls this client (your application's name)
     */
    public static Connection connect(String url, String connectionName) throws IOException {
        return connect(Settings.of(Map.of("nats_url", url)), connectionName);
    }

    /** Connects as {@code settings} say (the table above), or fails with a message naming the server. */
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
