package dev.asyncqueue.nats;

import dev.asyncqueue.config.ConfigurationException;
import io.nats.client.AuthHandler;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/**
 * Turns the authentication and TLS part of {@link NatsSettings} into client options: one of user and
 * password, token, NKey seed or credentials file, plus TLS with a CA of one's own and a client certificate
 * ({@link NatsTls}). Reads the files the
 * settings name, so a missing or wrong one fails naming its variable. Secrets go straight into the client's
 * options and appear in no message, log line or {@code toString()}.
 */
final class NatsAuth {
    private NatsAuth() {
    }

    /** Adds what {@code settings} ask for to {@code options}; returns a description free of secrets. */
    static String apply(NatsSettings settings, Options.Builder options) {
        NatsSettings.Auth auth = settings.auth();
        if (auth instanceof NatsSettings.UserPassword up) {
            options.userInfo(up.user().toCharArray(), up.password().toCharArray());
        } else if (auth instanceof NatsSettings.Token token) {
            options.token(token.token().toCharArray());
        } else if (auth instanceof NatsSettings.NKeySeed seed) {
            options.authHandler(nkey("nats_nkey_seed", seed.seed().toCharArray()));
        } else if (auth instanceof NatsSettings.NKeySeedFile file) {
            options.authHandler(nkey("nats_nkey_seed_file", read(file.file())));
        } else if (auth instanceof NatsSettings.CredentialsFile credentials) {
            options.authHandler(credentials(credentials.file()));
        }
        String description = auth.toString();
        if (settings.tlsCa().isPresent() || settings.tlsClient().isPresent()) {
            options.sslContext(NatsTls.context(settings.tlsCa(), settings.tlsClient(), settings.tlsInsecure()));
            description += settings.tlsCa().map(ca -> ", TLS with CA " + ca).orElse(settings.tlsInsecure()
                    ? ", TLS without verifying the server (nats_tls_insecure)" : ", TLS trusting the JVM's CAs");
            description += settings.tlsClient().map(c -> ", client certificate " + c.certificate()).orElse("");
        } else if (settings.tlsInsecure()) {
            try {
                options.opentls();
            } catch (GeneralSecurityException e) {
                throw new ConfigurationException("nats_tls_insecure", "TLS is not available: " + e.getMessage());
            }
            description += ", TLS without verifying the server (nats_tls_insecure)";
        }
        return description;
    }

    private static char[] read(Path seedFile) {
        try {
            return Files.readString(seedFile, StandardCharsets.US_ASCII).trim().toCharArray();
        } catch (IOException e) {
            throw new ConfigurationException("nats_nkey_seed_file", "cannot read " + seedFile + ": " + e.getMessage());
        }
    }

    private static AuthHandler nkey(String variable, char[] seed) {
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

    private static AuthHandler credentials(Path path) {
        if (!Files.isReadable(path)) {
            throw new ConfigurationException("nats_credentials", "cannot read the credentials file " + path);
        }
        return Nats.credentials(path.toString());
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
