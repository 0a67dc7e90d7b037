package dev.asyncqueue.examples;

import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.callback.CallbackSigner;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Callback allow-list and signing through the example worker, and a whole run's log free of secrets. */
class SecurityAppTest {
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private static final String PASSWORD = "nats-pw-5f1e9c-secret";
    private static final String SIGNING_SECRET = "signing-secret-0123456789abcdef";
    private static LocalNatsServer nats;
    private final HttpClient client = HttpClient.newHttpClient();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startNats() throws Exception {
        nats = LocalNatsServer.builder().args("--user", "worker", "--pass", PASSWORD).start();
    }

    @AfterAll
    static void stopNats() {
        nats.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) toClose.get(i).close();
    }

    private Map<String, String> baseSettings() {
        Map<String, String> settings = new HashMap<>();
        settings.put("nats_url", nats.url());
        settings.put("nats_user", "worker");
        settings.put("nats_password", PASSWORD);
        settings.put("queue_name", "sec-" + QUEUES.incrementAndGet());
        settings.put("port", "0");
        settings.put("metrics_port", "0");
        return settings;
    }

    private QueueWorkerApp app(Map<String, String> extra) throws Exception {
        Map<String, String> settings = baseSettings();
        settings.putAll(extra);
        QueueWorkerApp app = QueueWorkerApp.start(settings);
        toClose.add(app);
        return app;
    }

    private HttpResponse<String> post(int port, String function, String callback) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/async-function/" + function))
                .header("X-Callback-Url", callback).POST(HttpRequest.BodyPublishers.ofString("body")).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static Connection inspect() throws Exception {
        return Nats.connect(Options.builder().server(nats.url()).userInfo("worker", PASSWORD).build());
    }

    @Test
    void callbacksOutsideTheAllowListOrToLinkLocalAddressesGet400AtIngestAndNothingIsStored() throws Exception {
        QueueWorkerApp app = app(Map.of("role", "ingest", "callback_allowed_hosts", "127.0.0.1,*.example.com"));

        HttpResponse<String> notListed = post(app.ingestPort(), "echo", "http://localhost:9/cb");
        HttpResponse<String> metadata = post(app.ingestPort(), "echo", "http://169.254.169.254/latest/meta-data/");
        HttpResponse<String> listed = post(app.ingestPort(), "echo", "http://127.0.0.1:9/cb");
        HttpResponse<String> wildcard = post(app.ingestPort(), "echo", "https://hooks.example.com/cb");

        assertEquals(400, notListed.statusCode());
        assertTrue(notListed.body().contains("callback_allowed_hosts"), notListed.body());
        assertEquals(400, metadata.statusCode());
        assertEquals(202, listed.statusCode());
        assertEquals(202, wildcard.statusCode());
        try (Connection c = inspect()) {
            assertEquals(2, c.jetStreamManagement().getStreamInfo(app.queue().streamName()).getStreamState().getMsgCount(),
                    "only the two allowed calls were stored");
        }
    }

    @Test
    void theWorkerChecksEachCallbackAgainBeforePostingAndSignsTheOnesItSends() throws Exception {
        try (RecordingHttpServer gateway = RecordingHttpServer.start()) {
            QueueWorkerApp app = app(Map.of("role", "worker", "gateway_url", gateway.baseUrl().toString(),
                    "callback_allowed_hosts", "127.0.0.1", "callback_signing_secret", SIGNING_SECRET));
            int port = gateway.baseUrl().getPort();
            // Published straight to the stream, as an older gateway would: only the worker's own check stands in the way.
            for (String url : List.of("http://localhost:" + port + "/cb/not-listed", "http://169.254.169.254/cb/metadata",
                    "http://127.0.0.1:" + port + "/cb/ok")) {
                app.queue().enqueue(Invocation.builder("fn").queue(app.queue().name()).callbackUrl(URI.create(url))
                        .callId("call-" + url.hashCode()).build()).toCompletableFuture().get(5, TimeUnit.SECONDS);
            }

            RecordedRequest callback = gateway.await("/cb/ok", 1, Duration.ofSeconds(15)).get(0);
            gateway.await("/function/fn", 3, Duration.ofSeconds(15));
            try (Connection c = inspect()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (c.jetStreamManagement().getStreamInfo(app.queue().streamName()).getStreamState().getMsgCount() > 0) {
                    assertTrue(System.nanoTime() < deadline, "all three messages were settled");
                    TimeUnit.MILLISECONDS.sleep(20);
                }
            }

            assertEquals(List.of("/cb/ok"), gateway.requests("/cb").stream().map(RecordedRequest::path).toList(),
                    "the refused callbacks were not posted");
            CallbackSigner receiver = new CallbackSigner(SIGNING_SECRET.getBytes(StandardCharsets.UTF_8));
            assertTrue(receiver.verify(callback.header("X-Call-Id").orElseThrow(),
                    callback.header(CallHeaders.CALLBACK_TIMESTAMP).orElseThrow(),
                    callback.header("X-Function-Status").orElseThrow(), callback.body(),
                    callback.header(CallHeaders.CALLBACK_SIGNATURE).orElseThrow()), "the receiver can verify the signature");
        }
    }

    @Test
    void aWholeRunWithAuthenticationAndSigningAtDebugLevelLogsNoSecret() throws Exception {
        Path log = Files.createTempFile("async-queue-run", ".log");
        int port = LocalNatsServer.freePort();
        try (RecordingHttpServer gateway = RecordingHttpServer.start()) {
            Map<String, String> env = baseSettings();
            env.putAll(Map.of("port", Integer.toString(port), "metrics_port", "0", "gateway_url", gateway.baseUrl().toString(),
                    "callback_signing_secret", SIGNING_SECRET, "debug", "true"));
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), QueueWorkerApp.class.getName())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process process = pb.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                int status = 0;
                while (status != 202) {
                    assertTrue(System.nanoTime() < deadline && process.isAlive(), "the worker came up:\n" + Files.readString(log));
                    try {
                        status = post(port, "echo", gateway.baseUrl() + "/cb").statusCode();
                    } catch (java.io.IOException notYet) {
                        TimeUnit.MILLISECONDS.sleep(100);
                    }
                }
                post(port, "echo", "http://169.254.169.254/latest/meta-data/");
                gateway.await("/cb", 1, Duration.ofSeconds(20));
            } finally {
                process.destroy(); // SIGTERM: the shutdown path logs too
                process.waitFor(20, TimeUnit.SECONDS);
                process.destroyForcibly();
            }
            String text = Files.readString(log);
            assertTrue(text.contains("queue-worker ready"), text);
            for (String secret : List.of(PASSWORD, SIGNING_SECRET)) {
                assertFalse(text.contains(secret), "the log of the run shows a secret:\n" + text);
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
