package dev.asyncqueue.nats;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.nats.testing.LocalNatsServer;
import dev.asyncqueue.testing.CapturedLog;
import io.nats.client.Connection;
import io.nats.client.NKey;
import io.nats.client.support.JwtUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Connecting to servers that require authentication or TLS, through the settings the worker reads:
 * the right credentials work end to end, wrong ones fail fast with a clear message, and no secret
 * appears in a log line or an exception.
 */
class NatsSecurityTest {
    private static final String PASSWORD = "pw-Kx81!secret-value";
    private static final String TOKEN = "tok-93jd8s-secret-token";
    private static Path dir;
    private static NKey userKey;
    private static final List<LocalNatsServer> servers = new ArrayList<>();
    private static LocalNatsServer userServer;
    private static LocalNatsServer tokenServer;
    private static LocalNatsServer nkeyServer;
    private static LocalNatsServer tlsServer;
    private static LocalNatsServer mutualTlsServer;
    private static TestCertificates certificates;

    @BeforeAll
    static void startServers() throws Exception {
        dir = Files.createTempDirectory("async-queue-security");
        userServer = start("--user", "worker", "--pass", PASSWORD);
        tokenServer = start("--auth", TOKEN);
        userKey = NKey.createUser(new SecureRandom());
        Path nkeyConfig = dir.resolve("nkey.conf");
        Files.writeString(nkeyConfig, "authorization { users = [ { nkey: \"" + new String(userKey.getPublicKey()) + "\" } ] }\n");
        nkeyServer = start("-c", nkeyConfig.toString());
        certificates = TestCertificates.create(dir);
        tlsServer = start("--tls", "--tlscert", certificates.serverCert().toString(), "--tlskey", certificates.serverKey().toString());
        Path mutualTlsConfig = dir.resolve("mtls.conf");
        Files.writeString(mutualTlsConfig, "tls {\n  cert_file: \"" + certificates.serverCert() + "\"\n  key_file: \""
                + certificates.serverKey() + "\"\n  ca_file: \"" + certificates.caPem() + "\"\n  verify: true\n}\n");
        mutualTlsServer = start("-c", mutualTlsConfig.toString());
    }

    private static LocalNatsServer start(String... args) throws IOException {
        LocalNatsServer server = LocalNatsServer.builder().args(args).start();
        servers.add(server);
        return server;
    }

    @AfterAll
    static void stopServers() {
        servers.forEach(LocalNatsServer::close);
    }

    private static Settings settings(LocalNatsServer server, String... pairs) {
        Map<String, String> map = new HashMap<>();
        map.put("nats_url", server.url());
        map.put("nats_connect_timeout", "2s");
        for (int i = 0; i < pairs.length; i += 2) map.put(pairs[i], pairs[i + 1]);
        return Settings.of(map);
    }

    /** Connects, stores one invocation in a queue and closes: the connection really works. */
    private static void roundTrip(Settings settings) throws Exception {
        try (Connection connection = NatsConnections.connect(settings, "security-test")) {
            JetStreamQueue queue = JetStreamQueue.builder(connection).queue(NatsTestServer.uniqueQueue("sec")).build();
            queue.ensureStream();
            assertEquals(1, queue.enqueue(Invocation.builder("echo").queue(queue.name()).build())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS).sequence());
        }
    }

    /** The connect failure, which must come within 10 s. */
    private static IOException failure(Settings settings) {
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> NatsConnections.connect(settings, "security-test").close());
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms < 10_000, "failed fast, not after retrying for ever: " + ms + " ms");
        return e;
    }

    private static String everything(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Test
    void userAndPasswordConnectAndAWrongPasswordFailsFastSayingAuthorization() throws Exception {
        roundTrip(settings(userServer, "nats_user", "worker", "nats_password", PASSWORD));

        IOException e = failure(settings(userServer, "nats_user", "worker", "nats_password", "wrong-" + PASSWORD));

        assertTrue(e.getMessage().contains("Authorization Violation"), e.getMessage());
        assertTrue(e.getMessage().contains(userServer.url()), "names the server: " + e.getMessage());
    }

    @Test
    void wrongCredentialsFailAtOnceWithTheServersReasonNotAfterTheConnectTimeout() {
        Map<LocalNatsServer, String[]> wrong = new java.util.LinkedHashMap<>();
        wrong.put(userServer, new String[]{"nats_user", "worker", "nats_password", "wrong-" + PASSWORD});
        wrong.put(tokenServer, new String[]{"nats_token", "wrong-" + TOKEN});
        wrong.forEach((server, pairs) -> {
            Map<String, String> map = new HashMap<>(Map.of("nats_url", server.url(), "nats_connect_timeout", "20s"));
            for (int i = 0; i < pairs.length; i += 2) map.put(pairs[i], pairs[i + 1]);
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class,
                    () -> NatsConnections.connect(Settings.of(map), "security-test").close());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertTrue(ms < 5_000, "refused in " + ms + " ms, well under the 20 s connect timeout");
            assertTrue(e.getMessage().contains("Authorization Violation"), e.getMessage());
            assertTrue(e.getMessage().contains(server.url()), "names the server: " + e.getMessage());
            assertFalse(everything(e).contains(PASSWORD) || everything(e).contains(TOKEN), everything(e));
        });
    }

    @Test
    void aTokenConnectsAndAWrongOneFailsFast() throws Exception {
        roundTrip(settings(tokenServer, "nats_token", TOKEN));

        IOException e = failure(settings(tokenServer, "nats_token", "not-the-token"));

        assertTrue(e.getMessage().contains("Authorization Violation"), e.getMessage());
    }

    @Test
    void anNKeySeedFromSettingsOrAFileConnectsAndAnotherKeyIsRefused() throws Exception {
        String seed = new String(userKey.getSeed());
        Path seedFile = dir.resolve("user.nk");
        Files.writeString(seedFile, seed + "\n");
        roundTrip(settings(nkeyServer, "nats_nkey_seed", seed));
        roundTrip(settings(nkeyServer, "nats_nkey_seed_file", seedFile.toString()));

        IOException e = failure(settings(nkeyServer, "nats_nkey_seed", new String(NKey.createUser(new SecureRandom()).getSeed())));

        assertTrue(e.getMessage().contains("Authorization Violation"), e.getMessage());
    }

    @Test
    void tlsWithTheTestCaOrInsecureTlsConnectsAndWithoutEitherFailsFastNamingTheCertificateProblem() throws Exception {
        roundTrip(settings(tlsServer, "nats_tls_ca", certificates.caPem().toString()));

        roundTrip(settings(tlsServer, "nats_tls_insecure", "true"));
        IOException untrusted = failure(settings(tlsServer));

        assertTrue(everything(untrusted).toLowerCase().matches("(?s).*(tls|certificat|pkix|ssl).*"), everything(untrusted));
    }

    @Test
    void mutualTlsWithTheClientCertificateConnectsAndWithoutItFailsNamingTheServersTlsAlert() throws Exception {
        String ca = certificates.caPem().toString();
        roundTrip(settings(mutualTlsServer, "nats_tls_ca", ca, "nats_tls_cert", certificates.clientCert().toString(),
                "nats_tls_key", certificates.clientKey().toString()));

        IOException without = failure(settings(mutualTlsServer, "nats_tls_ca", ca));

        assertTrue(without.getMessage().contains(mutualTlsServer.url()), "names the server: " + without.getMessage());
        assertTrue(without.getMessage().contains("the server refused TLS") && without.getMessage().contains("certificate"),
                "says the server wants a certificate: " + without.getMessage());
    }

    @Test
    void aClientKeyThatDoesNotMatchItsCertificateStopsStartUpNamingTheKey() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> NatsConnections.validate(
                settings(mutualTlsServer, "nats_tls_cert", certificates.clientCert().toString(),
                        "nats_tls_key", certificates.serverKey().toString())));

        assertEquals("nats_tls_key", e.variable(), e.getMessage());
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    /** Writes a {@code .creds} file as {@code nsc} does: the user JWT, then the user's seed. */
    private static Path credsFile(String name, String jwt, NKey user) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, "-----BEGIN NATS USER JWT-----\n" + jwt + "\n------END NATS USER JWT------\n\n"
                + "-----BEGIN USER NKEY SEED-----\n" + new String(user.getSeed()) + "\n------END USER NKEY SEED------\n");
        return file;
    }

    private static String jwt(NKey issuer, String subject, String claimJson) throws Exception {
        return JwtUtils.issueJWT(issuer, subject, subject, null, JwtUtils.currentTimeSeconds(),
                new String(issuer.getPublicKey()), () -> claimJson);
    }

    @Test
    void aCredentialsFileConnectsToAnOperatorModeServerAndOneSignedByAnUnknownAccountIsRefused() throws Exception {
        NKey operator = NKey.createOperator(new SecureRandom());
        NKey account = NKey.createAccount(new SecureRandom());
        NKey stranger = NKey.createAccount(new SecureRandom());
        NKey user = NKey.createUser(new SecureRandom());
        String operatorJwt = jwt(operator, new String(operator.getPublicKey()), "{\"type\":\"operator\",\"version\":2}");
        String accountJwt = jwt(operator, new String(account.getPublicKey()), "{\"type\":\"account\",\"version\":2,"
                + "\"limits\":{\"subs\":-1,\"conn\":-1,\"leaf\":-1,\"imports\":-1,\"exports\":-1,\"data\":-1,"
                + "\"payload\":-1,\"wildcards\":true,\"mem_storage\":-1,\"disk_storage\":-1,\"streams\":-1,\"consumer\":-1}}");
        // JetStream in operator mode needs a system account.
        NKey system = NKey.createAccount(new SecureRandom());
        String systemJwt = jwt(operator, new String(system.getPublicKey()), "{\"type\":\"account\",\"version\":2}");
        Path config = dir.resolve("operator.conf");
        Files.writeString(config, "operator: " + operatorJwt + "\nsystem_account: " + new String(system.getPublicKey())
                + "\nresolver: MEMORY\nresolver_preload: {\n  " + new String(account.getPublicKey()) + ": " + accountJwt
                + "\n  " + new String(system.getPublicKey()) + ": " + systemJwt + "\n}\n");
        LocalNatsServer operatorServer = start("-c", config.toString());
        Path good = credsFile("user.creds", JwtUtils.issueUserJWT(account, new String(account.getPublicKey()), new String(user.getPublicKey())), user);
        Path forged = credsFile("forged.creds", JwtUtils.issueUserJWT(stranger, new String(stranger.getPublicKey()), new String(user.getPublicKey())), user);

        roundTrip(settings(operatorServer, "nats_credentials", good.toString()));
        IOException e = failure(settings(operatorServer, "nats_credentials", forged.toString()));

        assertTrue(e.getMessage().contains("Authorization Violation"), e.getMessage());
        assertFalse(everything(e).contains(new String(user.getSeed())), "the seed in the file never shows");
    }

    @Test
    void badSecuritySettingsStopStartUpNamingTheVariable() {
        Map<String, String[]> bad = new HashMap<>();
        bad.put("nats_user", new String[]{"nats_password", "only-a-password"});
        bad.put("nats_token", new String[]{"nats_user", "u", "nats_password", "p", "nats_token", "t"});
        bad.put("nats_nkey_seed", new String[]{"nats_nkey_seed", "SUnotaseed"});
        bad.put("nats_nkey_seed_file", new String[]{"nats_nkey_seed_file", "/nonexistent/seed"});
        bad.put("nats_credentials", new String[]{"nats_credentials", "/nonexistent/user.creds"});
        bad.put("nats_tls_ca", new String[]{"nats_tls_ca", "/nonexistent/ca.pem"});
        bad.put("nats_tls_key", new String[]{"nats_tls_cert", certificates.clientCert().toString()});
        bad.put("nats_tls_cert", new String[]{"nats_tls_cert", "/nonexistent/cert.pem",
                "nats_tls_key", certificates.clientKey().toString()});
        bad.forEach((variable, pairs) -> {
            ConfigurationException e = assertThrows(ConfigurationException.class,
                    () -> NatsConnections.options(settings(userServer, pairs), "x", event -> { }), variable);
            assertEquals(variable, e.variable(), e.getMessage());
            assertFalse(e.getMessage().contains("SUnotaseed"), "the message never quotes a seed");
        });
    }

    /**
     * Unparsable or unusable {@code nats_url}s whose credentials hold what breaks a URL ({@code @}, {@code %},
     * {@code /}, {@code ,}, a space) or have no host: each is refused, or fails to connect, and no part of the
     * secret reaches the message, its causes, the log or {@code toString()}.
     */
    @Test
    void aBadNatsUrlNeverRepeatsTheCredentialsInsideIt() throws Exception {
        int port = userServer.port();
        Map<String, List<String>> urls = new java.util.LinkedHashMap<>();
        urls.put("nats://worker:Pw1a@Pw1b@127.0.0.1:" + port, List.of("Pw1a", "Pw1b"));
        urls.put("nats://worker:Pw2a%zzPw2b@127.0.0.1:" + port, List.of("Pw2a", "Pw2b"));
        urls.put("nats://worker:Pw3a/Pw3b@127.0.0.1:" + port, List.of("Pw3a", "Pw3b"));
        urls.put("nats://worker:Pw4a,Pw4b@127.0.0.1:" + port, List.of("Pw4a", "Pw4b"));
        urls.put("nats://worker:Pw5a Pw5b@127.0.0.1:" + port, List.of("Pw5a", "Pw5b"));
        urls.put("worker:Pw6a@127.0.0.1:" + port, List.of("Pw6a"));
        urls.put("nats://127.0.0.1:" + port + ",nats://worker:Pw7a@", List.of("Pw7a"));
        urls.put("nats://Tok8a@", List.of("Tok8a"));
        urls.put("nats://worker:Pw9a@127.0.0.1:port", List.of("Pw9a"));
        urls.put("nats://worker:Pw10a@[::1", List.of("Pw10a"));
        urls.put("nats://worker:Pw11a%40Pw11b@127.0.0.1:" + port, List.of("Pw11a", "Pw11b"));
        urls.put("nats://worker:Pw12a/Pw12b%zz@127.0.0.1:" + port + "/x@y", List.of("Pw12a", "Pw12b"));
        // Valid, but nobody listens there: the client's own message quotes the URL.
        urls.put("nats://worker:Pw13a@127.0.0.1:" + LocalNatsServer.freePort(), List.of("Pw13a"));
        List<String> texts = new ArrayList<>();
        try (CapturedLog log = CapturedLog.start()) {
            for (String url : urls.keySet()) {
                Settings settings = Settings.of(Map.of("nats_url", url, "nats_connect_timeout", "2s"));
                try {
                    NatsConnections.validate(settings);
                    texts.add(NatsSettings.read(settings).toString());
                    NatsConnections.connect(settings, "bad-url-test").close();
                    texts.add("connected with " + url + " (no failure to inspect)");
                } catch (RuntimeException | IOException e) {
                    texts.add(everything(e));
                }
            }
            texts.add(log.text());
        }
        urls.forEach((url, secrets) -> {
            for (String text : texts) {
                for (String secret : secrets) {
                    assertFalse(text.contains(secret), "'" + secret + "' of " + url + " leaked into:\n" + text);
                }
            }
        });
    }

    @Test
    void noSecretAppearsInLogsExceptionsOrDescriptionsOfARunWithEveryMethod() throws Exception {
        String seed = new String(userKey.getSeed());
        String urlPassword = "url-pass-77abc";
        List<String> texts = new ArrayList<>();
        try (CapturedLog log = CapturedLog.start()) {
            Settings user = settings(userServer, "nats_user", "worker", "nats_password", PASSWORD);
            Settings token = settings(tokenServer, "nats_token", TOKEN);
            Settings nkey = settings(nkeyServer, "nats_nkey_seed", seed);
            roundTrip(user);
            roundTrip(token);
            roundTrip(nkey);
            texts.add(everything(failure(settings(userServer, "nats_user", "worker", "nats_password", PASSWORD + "x"))));
            texts.add(everything(failure(settings(tokenServer, "nats_token", TOKEN + "x"))));
            texts.add(everything(failure(Settings.of(Map.of("nats_connect_timeout", "2s", "nats_url",
                    "nats://worker:" + urlPassword + "@127.0.0.1:" + userServer.port())))));
            texts.add(user.toString());
            texts.add(token.toString());
            texts.add(nkey.toString());
            texts.add(log.text());
        }
        for (String text : texts) {
            for (String secret : List.of(PASSWORD, TOKEN, seed, urlPassword)) {
                assertFalse(text.contains(secret), "a secret leaked into:\n" + text);
            }
        }
    }
}
