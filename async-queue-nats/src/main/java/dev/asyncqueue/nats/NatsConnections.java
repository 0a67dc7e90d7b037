package dev.asyncqueue.nats;

import dev.asyncqueue.internal.Threads;
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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
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
 *   <tr><td>{@code nats_connect_timeout}</td><td>{@code 5s}</td><td>a connection fails after this long (credentials
 *       the server refuses fail at once)</td></tr>
 *   <tr><td>{@code nats_user} + {@code nats_password}</td><td>unset</td><td>user and password</td></tr>
 *   <tr><td>{@code nats_token}</td><td>unset</td><td>token</td></tr>
 *   <tr><td>{@code nats_nkey_seed} or {@code nats_nkey_seed_file}</td><td>unset</td><td>NKey user seed
 *       ({@code SU...}), or a file holding it</td></tr>
 *   <tr><td>{@code nats_credentials}</td><td>unset</td><td>path of a {@code .creds} file (JWT and seed)</td></tr>
 *   <tr><td>{@code nats_tls_ca}</td><td>unset</td><td>PEM file of the CA certificate(s) to trust; implies TLS</td></tr>
 *   <tr><td>{@code nats_tls_cert} + {@code nats_tls_key}</td><td>unset</td><td>client certificate (PEM, chain
 *       allowed) and its unencrypted PKCS#8 key, for servers that verify clients (mutual TLS); implies TLS</td></tr>
 *   <tr><td>{@code nats_tls_insecure}</td><td>{@code false}</td><td>TLS without verifying the server (testing
 *       only)</td></tr>
 * </table>
 *
 * <p>Secrets go straight into the client's options and appear in no message, log line or {@code toString()}.
 */
public final class NatsConnections {
    private static final Logger log = LoggerFactory.getLogger(NatsConnections.class);
    private static final ThreadFactory REFUSED = Threads.named("async-queue-nats-refused");

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
     * onEvent} hears every state change, e.g. {@link NatsMetrics#connectionEvent} to count reconnects. Connect
     * with {@link #connect(Options)}: when the server refuses the credentials of a first connection, these options
     * close it at once, and that method turns the closed connection into the server's reason.
     */
    public static Options.Builder options(Settings settings, String connectionName, Consumer<ConnectionListener.Events> onEvent) {
        NatsSettings nats = NatsSettings.read(settings);
        Options.Builder builder = Options.builder();
        String auth = NatsAuth.apply(nats, builder);
        log.debug("NATS authentication: {}", auth);
        try {
            builder.servers(nats.url().split(","));
        } catch (RuntimeException e) {
            throw new ConfigurationException(settings.get("nats_url").isPresent() ? "nats_url" : "nats_host",
                    "the NATS client refuses '" + redact(nats.url()) + "': " + redact(e.getMessage()));
        }
        // jnats reports DISCONNECTED after every failed reconnect round: warned about once per outage.
        AtomicBoolean down = new AtomicBoolean();
        return builder
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

    /**
     * Sends the client's asynchronous errors to SLF4J instead of java.util.logging, and ends a first connection
     * the server refused the credentials of.
     */
    private static final class Slf4jErrorListener implements ErrorListener {
        @Override
        public void errorOccurred(Connection conn, String error) {
            log.warn("NATS error: {}", redact(error));
            if (conn.getStatus() == Connection.Status.CONNECTING && isAuthenticationError(error)) {
                // After "-ERR 'Authorization Violation'" the server hangs up, but jnats waits out the connect timeout
                // for a PONG that cannot come. Closing the connection ends that wait; not from this thread, which
                // close() waits to finish. Reconnects (status RECONNECTING) are left to jnats, which stops after the
                // same refusal twice.
                REFUSED.newThread(() -> {
                    try {
                        conn.close();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).start();
            }
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            // Expected while the server is unreachable; the connection listener already says so.
            log.debug("NATS connection exception: {}", redact(exp.toString()));
        }

        @Override
        public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            log.warn("NATS slow consumer detected");
        }
    }

    /** "; the server refused TLS: ..." when TLS is on and jnats' failure does not say so itself, else "". */
    private static String tlsRefusal(Options options, IOException failure) {
        if (options.getSslContext() == null || options.getServers().isEmpty()) return "";
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) return "";
        }
        return NatsTls.refusal(options.getServers().get(0), options.getSslContext(), options.getConnectionTimeout())
                .map(reason -> "; the server refused TLS: " + reason).orElse("");
    }

    /** The refusals jnats itself treats as authentication errors. */
    static boolean isAuthenticationError(String error) {
        String text = error == null ? "" : error.toLowerCase(Locale.ROOT);
        return text.contains("authorization violation") || text.contains("authentication");
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
        Connection connection;
        try {
            connection = Nats.connect(options);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to NATS", e);
        } catch (IOException e) {
            // The client's own messages can quote a server URL with its credentials: the causes are masked copies.
            throw redacted("cannot connect to NATS at " + options.getServers() + ": " + e.getMessage() + tlsRefusal(options, e), e);
        }
        if (connection.getStatus() == Connection.Status.CLOSED) {
            // Closed by the error listener of options(...) when the server refused the credentials.
            throw redacted("cannot connect to NATS at " + options.getServers() + ": " + connection.getLastError(), null);
        }
        return connection;
    }

    /**
     * Masks credentials written into URLs ({@code nats://user:password@host}), for messages and logs: everything
     * from a {@code ://} (or the start of the text) to the last {@code @} before the next {@code ://}. So a password
     * holding {@code @}, {@code /}, {@code %}, {@code ,} or a space is masked whole, at the price of masking more
     * than the credentials when other text with an {@code @} follows.
     */
    static String redact(String text) {
        if (text == null || text.indexOf('@') < 0) return text;
        StringBuilder out = new StringBuilder(text.length());
        int start = 0;
        while (true) {
            int scheme = text.indexOf("://", start);
            int end = scheme < 0 ? text.length() : scheme;
            int at = end == 0 ? -1 : text.lastIndexOf('@', end - 1);
            if (at >= start) {
                out.append("****").append(text, at, end);
            } else {
                out.append(text, start, end);
            }
            if (scheme < 0) return out.toString();
            out.append("://");
            start = scheme + 3;
        }
    }

    /** A copy of {@code e} and its causes with URL credentials masked in every message; the stack traces stay. */
    static IOException redacted(String message, Throwable e) {
        return new IOException(redact(message), redactedCause(e, 0));
    }

    private static Throwable redactedCause(Throwable e, int depth) {
        if (e == null || depth > 16) return null;
        Throwable copy = new RedactedCause(e, redactedCause(e.getCause(), depth + 1));
        copy.setStackTrace(e.getStackTrace());
        return copy;
    }

    /** Stands in for a cause whose message may hold credentials: same class name and trace, message masked. */
    private static final class RedactedCause extends IOException {
        private final String type;

        RedactedCause(Throwable original, Throwable cause) {
            super(redact(original.getMessage()), cause);
            this.type = original.getClass().getName();
        }

        @Override
        public String toString() {
            return getMessage() == null ? type : type + ": " + getMessage();
        }
    }
}
