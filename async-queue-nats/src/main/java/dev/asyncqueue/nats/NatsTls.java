package dev.asyncqueue.nats;

import dev.asyncqueue.config.ConfigurationException;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Builds the TLS context for NATS from PEM files: the CA certificates to trust ({@code nats_tls_ca}) and, for
 * servers that verify clients, a client certificate chain ({@code nats_tls_cert}) with its PKCS#8 private key
 * ({@code nats_tls_key}). A file that is missing, unreadable or of the wrong kind fails naming its variable; the
 * key's bytes never appear in a message.
 */
final class NatsTls {
    private static final String PKCS8_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PKCS8_END = "-----END PRIVATE KEY-----";
    /** nats-server's INFO line is a few hundred bytes; a far longer first line is not a NATS server. */
    private static final int MAX_INFO_BYTES = 65_536;

    private NatsTls() {
    }

    /**
     * A context trusting {@code ca} (the JVM's trusted CAs when empty, nothing checked when {@code insecure}) and
     * presenting {@code client} when the server asks for a certificate.
     */
    static SSLContext context(Optional<Path> ca, Optional<ClientCertificate> client, boolean insecure) {
        TrustManager[] trust = insecure && ca.isEmpty() ? new TrustManager[]{new TrustingEveryServer()}
                : ca.map(NatsTls::trusting).orElse(null);
        KeyManager[] keys = client.map(NatsTls::presenting).orElse(null);
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException(ca.isPresent() ? "nats_tls_ca" : "nats_tls_cert", "TLS is not available: "
                    + e.getMessage());
        }
    }

    /**
     * What the server says to this context's TLS, asked after a connection failed without a reason: the plain
     * {@code INFO} line, the handshake, then one read. A server that verifies clients refuses one without a
     * certificate with an alert that arrives only in that read, because TLS 1.3 completes the client's side of the
     * handshake before the server has checked the client; jnats then reports no more than its connect timeout.
     * Empty when the server says nothing of TLS within {@code wait}.
     */
    static Optional<String> refusal(URI server, SSLContext context, Duration wait) {
        int millis = (int) Math.max(1, Math.min(wait.toMillis(), 5_000));
        String host = server.getHost();
        int port = server.getPort() < 0 ? NatsSettings.DEFAULT_PORT : server.getPort();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), millis);
            socket.setSoTimeout(millis);
            InputStream in = socket.getInputStream();
            for (int c, n = 0; (c = in.read()) != '\n'; n++) {
                if (c < 0 || n > MAX_INFO_BYTES) return Optional.empty();
            }
            try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, host, port, true)) {
                tls.startHandshake();
                tls.getInputStream().read();
            }
            return Optional.empty();
        } catch (SSLException e) {
            return Optional.ofNullable(e.getMessage());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** {@code nats_tls_cert} and {@code nats_tls_key}: the certificate chain a client presents, and its key. */
    record ClientCertificate(Path certificate, Path key) {
    }

    private static TrustManager[] trusting(Path caFile) {
        List<Certificate> certificates = certificates("nats_tls_ca", caFile);
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            for (int i = 0; i < certificates.size(); i++) trust.setCertificateEntry("ca-" + i, certificates.get(i));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            return tmf.getTrustManagers();
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("nats_tls_ca", "cannot trust " + caFile + ": " + e.getMessage());
        }
    }

    private static KeyManager[] presenting(ClientCertificate client) {
        List<Certificate> chain = certificates("nats_tls_cert", client.certificate());
        PrivateKey key = privateKey(client.key());
        if (!matches(key, chain.get(0))) {
            throw new ConfigurationException("nats_tls_key", client.key() + " does not match the certificate in "
                    + client.certificate());
        }
        try {
            // An in-memory store only hands the pair to the key manager; its password protects nothing on disk.
            char[] password = UUID.randomUUID().toString().toCharArray();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("client", key, password, chain.toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            return kmf.getKeyManagers();
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("nats_tls_cert", "cannot use " + client.certificate() + " with its key: "
                    + e.getMessage());
        }
    }

    private static List<Certificate> certificates(String variable, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            List<Certificate> certificates = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            if (certificates.isEmpty()) throw new ConfigurationException(variable, file + " holds no certificate");
            return certificates;
        } catch (IOException e) {
            throw new ConfigurationException(variable, "cannot read " + file + ": " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException(variable, file + " is not a PEM certificate file: " + e.getMessage());
        }
    }

    /** A PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}) of any algorithm the JDK knows. */
    private static PrivateKey privateKey(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ConfigurationException("nats_tls_key", "cannot read " + file + ": " + e.getMessage());
        }
        int begin = pem.indexOf(PKCS8_BEGIN);
        int end = pem.indexOf(PKCS8_END);
        if (begin < 0 || end < begin) {
            // Not the file's text: it is a secret.
            throw new ConfigurationException("nats_tls_key", file + " holds no unencrypted PKCS#8 key (BEGIN PRIVATE KEY);"
                    + " convert one with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + PKCS8_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("nats_tls_key", file + " is not valid PEM");
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new ConfigurationException("nats_tls_key", file + " holds a key of no algorithm this JVM knows");
    }

    /** Whether the key signs what the certificate's public key verifies: a pair that belongs together. */
    private static boolean matches(PrivateKey key, Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
        if (algorithm == null) return true; // cannot tell here; the handshake will
        try {
            byte[] probe = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** {@code nats_tls_insecure}: encryption without checking who the server is (testing only). */
    private static final class TrustingEveryServer implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
