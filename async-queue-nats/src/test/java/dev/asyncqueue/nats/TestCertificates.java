package dev.asyncqueue.nats;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority, a server certificate for 127.0.0.1 and a client certificate, made with the JDK's
 * {@code keytool} (no openssl needed), written as the PEM files nats-server reads.
 *
 * @param caPem      the CA certificate, which clients trust
 * @param serverCert the server certificate signed by the CA (SAN IP:127.0.0.1)
 * @param serverKey  the server's private key (PKCS#8 PEM)
 * @param clientCert the client certificate signed by the CA, for mutual TLS (extended key usage clientAuth)
 * @param clientKey  the client's private key (PKCS#8 PEM)
 */
record TestCertificates(Path caPem, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {
    private static final String PASSWORD = "changeit";

    static TestCertificates create(Path dir) throws Exception {
        keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=async-queue test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASSWORD, "-file", "ca.pem");
        Path serverKey = signed(dir, "server", "CN=127.0.0.1", "serverAuth", "-ext", "san=ip:127.0.0.1");
        Path clientKey = signed(dir, "client", "CN=async-queue worker", "clientAuth");
        return new TestCertificates(dir.resolve("ca.pem"), dir.resolve("server.pem"), serverKey, dir.resolve("client.pem"),
                clientKey);
    }

    /** A key pair {@code <alias>.p12} whose certificate {@code <alias>.pem} the CA signed; returns the key's PEM file. */
    private static Path signed(Path dir, String alias, String dname, String usage, String... extensions) throws Exception {
        keytool(dir, "-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-dname", dname,
                "-validity", "2", "-keystore", alias + ".p12", "-storetype", "PKCS12", "-storepass", PASSWORD);
        keytool(dir, "-certreq", "-alias", alias, "-keystore", alias + ".p12", "-storepass", PASSWORD, "-file", alias + ".csr");
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12",
                "-storepass", PASSWORD, "-infile", alias + ".csr", "-outfile", alias + ".pem", "-ext", "eku=" + usage,
                "-validity", "2"));
        gencert.addAll(List.of(extensions));
        keytool(dir, gencert.toArray(String[]::new));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve(alias + ".p12"))) {
            store.load(in, PASSWORD.toCharArray());
        }
        Key key = store.getKey(alias, PASSWORD.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Path keyFile = dir.resolve(alias + "-key.pem");
        Files.writeString(keyFile, pem, StandardCharsets.US_ASCII);
        return keyFile;
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed:\n" + output);
        }
    }
}
