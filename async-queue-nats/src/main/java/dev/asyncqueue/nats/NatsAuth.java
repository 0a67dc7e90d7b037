package dev.asyncqueue.nats;

import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import io.nats.client.AuthHandler;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * NATS authentication and transport security from settings: one of user and password, token, NKey
 * seed or credentials file, plus TLS with a CA of one's own. Secrets go straight into the client's
 * options and appear in no message, log line or {@code toString()}.
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><td>{@code nats_user} + {@code nats_password}</td><td>user and password</td></tr>
 *   <tr><td>{@code nats_token}</td><td>token</td></tr>
 *   <tr><td>{@code nats_nkey_seed} or {@code nats_nkey_seed_file}</td><td>NKey seed ({@code SU...}) or a file holding it</td></tr>
 *   <tr><td>{@code nats_credentials}</td><td>path of a {@code .creds} file (JWT and seed)</td></tr>
 *   <tr><td>{@code nats_tls_ca}</td><td>PEM file of the CA certificate(s) to trust; implies TLS</td></tr>
 *   <tr><td>{@code nats_tls_insecure}</td><td>TLS without verifying the server (testing only)</td></tr>
 * </table>
 */
public final class NatsAuth {
    private NatsAuth() {
    }

    /** Validates the settings and adds what they ask for to {@code options}; returns a description free of secrets. */
    public static String apply(Settings settings, Options.Builder options) {
        List<String> methods = new ArrayList<>();
        if (settings.get("nats_user").isPresent() || settings.get("nats_password").isPresent()) methods.add("nats_user");
        if (settings.get("nats_token").isPresent()) methods.add("nats_token");
        if (settings.first("nats_nkey_seed", "nats_nkey_seed_file").isPresent()) methods.add("nats_nkey_seed");
        if (settings.get("nats_credentials").isPresent()) methods.add("nats_credentials");
        if (methods.size() > 1) {
            throw new ConfigurationException(methods.get(1), "set one way of authenticating to NATS, not " + methods);
        }
        String description = methods.isEmpty() ? "no authentication" : describe(methods.get(0));
        if (!methods.isEmpty()) {
            switch (methods.get(0)) {
                case "nats_user" -> {
                    String user = settings.get("nats_user").orElseThrow(() ->
                            new ConfigurationException("nats_user", "nats_password is set, so a user is needed too"));
                    String password = settings.get("nats_password").orElseThrow(() ->
                            new ConfigurationException("nats_password", "nats_user is set, so a password is needed too"));
                    options.userInfo(user.toCharArray(), password.toCharArray());
                    description = "user " + user;
                }
                case "nats_token" -> options.token(settings.get("nats_token").orElseThrow().toCharArray());
                case "nats_nkey_seed" -> options.authHandler(nkey(settings));
                default -> options.authHandler(credentials(settings.get("nats_credentials").orElseThrow()));
            }
        }
        // Not OpenFaaS' tls_insecure, which is about the gateway: turning TLS on for NATS must be a separate choice.
        boolean insecure = settings.bool("nats_tls_insecure", false);
        if (settings.get("nats_tls_ca").isPresent()) {
            options.sslContext(trusting(Path.of(settings.get("nats_tls_ca").get())));
            description += ", TLS with CA " + settings.get("nats_tls_ca").get();
        } else if (insecure) {
            try {
                options.opentls();
            } catch (GeneralSecurityException e) {
                throw new ConfigurationException("nats_tls_insecure", "TLS is not available: " + e.getMessage());
            }
            description += ", TLS without verifying the server (nats_tls_insecure)";
        }
        return description;
    }

    private static String describe(String method) {
        return switch (method) {
            case "nats_token" -> "token";
            case "nats_nkey_seed" -> "NKey";
            case "nats_credentials" -> "credentials file";
            default -> method;
        };
    }

    private static AuthHandler nkey(Settings settings) {
        String variable = settings.get("nats_nkey_seed").isPresent() ? "nats_nkey_seed" : "nats_nkey_seed_file";
        char[] seed;
        if (variable.equals("nats_nkey_seed")) {
            seed = settings.get(variable).orElseThrow().toCharArray();
        } else {
            Path file = Path.of(settings.get(variable).orElseThrow());
            try {
                seed = Files.readString(file, StandardCharsets.US_ASCII).trim().toCharArray();
            } catch (IOException e) {
                throw new ConfigurationException(variable, "cannot read " + file + ": " + e.getMessage());
            }
        }
        NKey key;
        try {
            key = NKey.fromSeed(seed);
            key.getPublicKey();
        } catch (RuntimeException | IOException | GeneralSecurityException e) {
            // Not e.getMessage(): it could quote the seed.
            throw new ConfigurationException(variable, "not a valid NKey seed (expected one starting with SU)");
        }
        return new NKeyAuthHandler(key);
    }

    private static AuthHandler credentials(String path) {
        if (!Files.isReadable(Path.of(path))) {
            throw new ConfigurationException("nats_credentials", "cannot read the credentials file " + path);
        }
        return Nats.credentials(path);
    }

    private static SSLContext trusting(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, certificate);
            }
            if (i == 0) throw new ConfigurationException("nats_tls_ca", caFile + " holds no certificate");
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new ConfigurationException("nats_tls_ca", "cannot read " + caFile + ": " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("nats_tls_ca", caFile + " is not a PEM certificate file: " + e.getMessage());
        }
    }

    /** Answers the server's nonce with an NKey signature; the key stays inside. */
    private static final class NKeyAuthHandler implements AuthHandler {
        private final NKey key;

        NKeyAuthHandler(NKey key) {
            this.key = key;
        }

        @Override
        public byte[] sign(byte[] nonce) {
            try {
                return key.sign(nonce);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("NKey signing failed", e);
            }
        }

        @Override
        public char[] getID() {
            try {
                return key.getPublicKey();
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("NKey has no public key", e);
            }
        }

        @Override
        public char[] getJWT() {
            return null;
        }

        @Override
        public String toString() {
            return "NKeyAuthHandler[****]";
        }
    }
}
