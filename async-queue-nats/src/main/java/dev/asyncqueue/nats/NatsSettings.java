package dev.asyncqueue.nats;

import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every setting the nats module reads, read from {@link Settings} here and nowhere else, so one place says
 * what each name means and what it defaults to; {@link NatsConnections} documents them for users. Values
 * are checked for form here (one way of authenticating, a URL with a host, a duration); the files they name
 * are read when a connection's options are built. {@code toString()} never shows a secret.
 *
 * @param url            {@code nats_url}, else {@code nats://<nats_host>:<nats_port>}; comma-separated for several
 * @param connectTimeout {@code nats_connect_timeout}
 * @param auth           the one way of authenticating the settings chose
 * @param tlsCa          {@code nats_tls_ca}: PEM file of the CA certificate(s) to trust
 * @param tlsClient      {@code nats_tls_cert} and {@code nats_tls_key}: the client certificate for mutual TLS
 * @param tlsInsecure    {@code nats_tls_insecure}: TLS without verifying the server
 */
record NatsSettings(String url, Duration connectTimeout, Auth auth, Optional<Path> tlsCa,
                    Optional<NatsTls.ClientCertificate> tlsClient, boolean tlsInsecure) {
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 4222;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** Reads and checks every name the module uses; a bad value fails naming its variable. */
    static NatsSettings read(Settings settings) {
        Auth auth = auth(settings);
        // Not OpenFaaS' tls_insecure, which is about the gateway: turning TLS on for NATS must be a separate choice.
        boolean tlsInsecure = settings.bool("nats_tls_insecure", false);
        Optional<Path> tlsCa = settings.get("nats_tls_ca").map(Path::of);
        return new NatsSettings(url(settings), settings.duration("nats_connect_timeout", DEFAULT_CONNECT_TIMEOUT),
                auth, tlsCa, tlsClient(settings), tlsInsecure);
    }

    private static Optional<NatsTls.ClientCertificate> tlsClient(Settings settings) {
        Optional<String> certificate = settings.get("nats_tls_cert");
        Optional<String> key = settings.get("nats_tls_key");
        if (certificate.isPresent() != key.isPresent()) {
            String missing = certificate.isPresent() ? "nats_tls_key" : "nats_tls_cert";
            String given = certificate.isPresent() ? "nats_tls_cert" : "nats_tls_key";
            throw new ConfigurationException(missing, given + " is set, so " + missing + " is needed too");
        }
        return certificate.map(c -> new NatsTls.ClientCertificate(Path.of(c), Path.of(key.orElseThrow())));
    }

    /** The server URL(s) alone: {@code nats_url}, else {@code nats://<nats_host>:<nats_port>}. */
    static String url(Settings settings) {
        String url = settings.get("nats_url").orElseGet(() -> "nats://" + settings.string("nats_host", DEFAULT_HOST)
                + ":" + settings.integer("nats_port", DEFAULT_PORT, 1, 65535));
        String variable = settings.get("nats_url").isPresent() ? "nats_url" : "nats_host";
        String[] entries = url.split(",");
        for (int i = 0; i < entries.length; i++) {
            // The whole value, masked, rather than the entry: a password holding a comma splits into two entries,
            // and the one without the '@' would not look like credentials at all.
            String which = entries.length == 1 ? "" : " (entry " + (i + 1) + " of " + entries.length + ")";
            URI uri;
            try {
                uri = URI.create(entries[i].trim());
            } catch (IllegalArgumentException e) {
                // Not e.getMessage(): it quotes the input.
                throw new ConfigurationException(variable, "not a NATS URL" + which + ": '" + NatsConnections.redact(url) + "'");
            }
            if (uri.getHost() == null) {
                throw new ConfigurationException(variable, "expected nats://host:port" + which + ", got '"
                        + NatsConnections.redact(url) + "'");
            }
        }
        return url;
    }

    private static Auth auth(Settings settings) {
        List<String> methods = new ArrayList<>();
        if (settings.get("nats_user").isPresent() || settings.get("nats_password").isPresent()) methods.add("nats_user");
        if (settings.get("nats_token").isPresent()) methods.add("nats_token");
        if (settings.first("nats_nkey_seed", "nats_nkey_seed_file").isPresent()) methods.add("nats_nkey_seed");
        if (settings.get("nats_credentials").isPresent()) methods.add("nats_credentials");
        if (methods.size() > 1) {
            throw new ConfigurationException(methods.get(1), "set one way of authenticating to NATS, not " + methods);
        }
        if (methods.isEmpty()) return new None();
        return switch (methods.get(0)) {
            case "nats_user" -> new UserPassword(
                    settings.get("nats_user").orElseThrow(() ->
                            new ConfigurationException("nats_user", "nats_password is set, so a user is needed too")),
                    settings.get("nats_password").orElseThrow(() ->
                            new ConfigurationException("nats_password", "nats_user is set, so a password is needed too")));
            case "nats_token" -> new Token(settings.get("nats_token").orElseThrow());
            case "nats_nkey_seed" -> settings.get("nats_nkey_seed").<Auth>map(NKeySeed::new)
                    .orElseGet(() -> new NKeySeedFile(Path.of(settings.get("nats_nkey_seed_file").orElseThrow())));
            default -> new CredentialsFile(Path.of(settings.get("nats_credentials").orElseThrow()));
        };
    }

    @Override
    public String toString() {
        return "NatsSettings[url=" + NatsConnections.redact(url) + ", connectTimeout=" + connectTimeout + ", auth="
                + auth + ", tlsCa=" + tlsCa.map(Path::toString).orElse("none") + ", tlsClientCert="
                + tlsClient.map(c -> c.certificate().toString()).orElse("none") + ", tlsInsecure=" + tlsInsecure + "]";
    }

    /** One way of authenticating to NATS; secrets stay out of {@code toString()}. */
    sealed interface Auth permits None, UserPassword, Token, NKeySeed, NKeySeedFile, CredentialsFile {
    }

    /** No authentication. */
    record None() implements Auth {
        @Override
        public String toString() {
            return "no authentication";
        }
    }

    /** {@code nats_user} and {@code nats_password}. */
    record UserPassword(String user, String password) implements Auth {
        @Override
        public String toString() {
            return "user " + user;
        }
    }

    /** {@code nats_token}. */
    record Token(String token) implements Auth {
        @Override
        public String toString() {
            return "token";
        }
    }

    /** {@code nats_nkey_seed}: the user seed ({@code SU...}) itself. */
    record NKeySeed(String seed) implements Auth {
        @Override
        public String toString() {
            return "NKey";
        }
    }

    /** {@code nats_nkey_seed_file}: a file holding the user seed. */
    record NKeySeedFile(Path file) implements Auth {
        @Override
        public String toString() {
            return "NKey";
        }
    }

    /** {@code nats_credentials}: a {@code .creds} file (JWT and seed). */
    record CredentialsFile(Path file) implements Auth {
        @Override
        public String toString() {
            return "credentials file";
        }
    }
}
