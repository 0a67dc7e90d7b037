package dev.asyncqueue.examples.ops;

import dev.asyncqueue.examples.QueueWorkerApp;
import dev.asyncqueue.examples.RunningAppTest;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example worker as an operator sees it: metrics, health, call status and cancellation over HTTP. */
class OperationsAppTest extends RunningAppTest {
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private RecordingHttpServer gateway;

    private RecordingHttpServer gateway() {
        gateway = RecordingHttpServer.start();
        toClose.add(gateway);
        return gateway;
    }

    private QueueWorkerApp app(String queue, Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("nats_url", nats.url());
        settings.put("queue_name", queue);
        settings.put("port", "0");
        settings.put("metrics_port", "0");
        settings.put("metrics_poll_interval", "100ms");
        settings.put("status_bucket", "status-" + queue);
        settings.put("initial_retry_wait", "100ms");
        settings.put("max_retry_wait", "100ms");
        settings.put("ack_wait", "5s");
        settings.put("gateway_url", gateway.baseUrl().toString());
        settings.putAll(extra);
        QueueWorkerApp app = QueueWorkerApp.start(settings);
        toClose.add(app);
        return app;
    }

    private HttpResponse<String> send(String url, String method, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .method(method, HttpRequest.BodyPublishers.ofString("POST".equals(method) ? "body" : ""));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String post(QueueWorkerApp app, String function) throws Exception {
        HttpResponse<String> accepted = send("http://127.0.0.1:" + app.ingestPort() + "/async-function/" + function,
                "POST", Map.of("X-Callback-Url", gateway.baseUrl() + "/cb"));
        assertEquals(202, accepted.statusCode(), accepted.body());
        return accepted.headers().firstValue("X-Call-Id").orElseThrow();
    }

    private PrometheusText scrape(QueueWorkerApp app) throws Exception {
        HttpResponse<String> response = send("http://127.0.0.1:" + app.metricsPort() + "/metrics", "GET", Map.of());
        assertEquals(200, response.statusCode());
        return PrometheusText.parse(response.body());
    }

    private JsonValue status(QueueWorkerApp app, String callId) throws Exception {
        HttpResponse<String> response = send("http://127.0.0.1:" + app.ingestPort() + "/async-function/status/" + callId,
                "GET", Map.of());
        return response.statusCode() == 200 ? JsonParser.parse(response.body()) : null;
    }

    private static void awaitTrue(String what, Duration timeout, BooleanSupplierWithException condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /** A condition that may do I/O. */
    private interface BooleanSupplierWithException {
        boolean get() throws Exception;
    }

    @Test
    void metricsRenderTheOpenFaasNamesWithTheirLabelsAndCountKnownTraffic() throws Exception {
        gateway();
        CountDownLatch hold = new CountDownLatch(1);
        toClose.add(hold::countDown);
        gateway.respond("/function/slow", r -> Response.of(200, "done").beforeSending(() -> {
            try {
                hold.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        gateway.respond("/function/broken", r -> Response.of(500, "no"));
        String queue = "metrics-" + QUEUES.incrementAndGet();
        QueueWorkerApp app = app(queue, Map.of("max_retry_attempts", "2", "max_inflight", "2"));

        post(app, "echo");
        post(app, "echo");
        post(app, "broken");
        post(app, "slow");
        post(app, "slow");
        post(app, "slow");
        Map<String, String> slow = Map.of("queue_name", queue, "function_name", "slow");
        awaitTrue("three slow calls pending and two in flight", Duration.ofSeconds(15), () -> {
            PrometheusText m = scrape(app);
            return m.value("queue_worker_pending_messages", slow).orElse(-1) == 3
                    && m.value("queue_worker_function_invocation_inflight", slow).orElse(-1) == 2;
        });
        hold.countDown();
        gateway.await("/cb", 6, Duration.ofSeconds(15));
        awaitTrue("the queue drained in the metrics", Duration.ofSeconds(15), () -> {
            PrometheusText m = scrape(app);
            return m.value("queue_worker_pending_messages", slow).orElse(-1) == 0
                    && m.value("queue_worker_messages_processed_total", Map.of("queue_name", queue)).orElse(-1) == 6
                    && m.value("queue_worker_function_invocation_inflight", slow).orElse(-1) == 0
                    && m.value("queue_worker_dead_letters_total", Map.of("queue_name", queue)).orElse(-1) == 1;
        });

        PrometheusText m = scrape(app);
        Map<String, String> q = Map.of("queue_name", queue);
        assertEquals(OptionalDouble.of(6), m.value("queue_worker_messages_submitted_total", q));
        assertEquals(OptionalDouble.of(6), m.value("queue_worker_messages_processed_total", q));
        assertEquals(OptionalDouble.of(0), m.value("queue_worker_nats_reconnect_total", Map.of()));
        assertEquals(List.of(Map.of()), m.labelsOf("queue_worker_nats_reconnect_total"), "no labels");
        for (Map<String, String> labels : m.labelsOf("queue_worker_pending_messages")) {
            assertEquals(Set.of("queue_name", "function_name"), labels.keySet());
        }
        for (Map<String, String> labels : m.labelsOf("queue_worker_function_invocation_inflight")) {
            assertEquals(Set.of("queue_name", "function_name"), labels.keySet());
        }
        assertEquals(OptionalDouble.of(1), m.value("queue_worker_retries_total",
                Map.of("queue_name", queue, "function_name", "broken")));
        assertEquals(OptionalDouble.of(1), m.value("queue_worker_dead_letters_total",
                Map.of("queue_name", queue, "reason", "retries_exhausted")));
        assertEquals(OptionalDouble.of(2), m.value("queue_worker_invocation_duration_seconds_count",
                Map.of("queue_name", queue, "function_name", "echo", "status_class", "2xx")));
        assertEquals(OptionalDouble.of(2), m.value("queue_worker_invocation_duration_seconds_count",
                Map.of("queue_name", queue, "function_name", "broken", "status_class", "5xx")));
        assertTrue(m.value("queue_worker_invocation_duration_seconds_bucket",
                Map.of("function_name", "slow", "le", "+Inf")).isPresent(), "a histogram with buckets");
        assertEquals(200, send("http://127.0.0.1:" + app.metricsPort() + "/healthz", "GET", Map.of()).statusCode());
    }

    @Test
    void healthIsNotReadyOnceTheQueuesStreamIsGone() throws Exception {
        gateway();
        String queue = "health-" + QUEUES.incrementAndGet();
        QueueWorkerApp app = app(queue, Map.of("role", "ingest"));
        String health = "http://127.0.0.1:" + app.metricsPort() + "/healthz";
        assertEquals(200, send(health, "GET", Map.of()).statusCode());

        inspector.jetStreamManagement().deleteStream(app.queue().streamName());

        HttpResponse<String> down = send(health, "GET", Map.of());
        assertEquals(503, down.statusCode());
        assertTrue(down.body().contains(app.queue().streamName()), down.body());
    }

    @Test
    void theIngestPortAnswersHealthWithTheSameCheckAsTheMetricsPort() throws Exception {
        gateway();
        String queue = "health-ingest-" + QUEUES.incrementAndGet();
        QueueWorkerApp app = app(queue, Map.of("role", "ingest"));
        String ingestHealth = "http://127.0.0.1:" + app.ingestPort() + "/healthz";
        String metricsHealth = "http://127.0.0.1:" + app.metricsPort() + "/healthz";
        assertEquals(200, send(ingestHealth, "GET", Map.of()).statusCode());

        inspector.jetStreamManagement().deleteStream(app.queue().streamName());

        HttpResponse<String> ingestDown = send(ingestHealth, "GET", Map.of());
        HttpResponse<String> metricsDown = send(metricsHealth, "GET", Map.of());
        assertEquals(503, ingestDown.statusCode());
        assertTrue(ingestDown.body().contains(app.queue().streamName()), ingestDown.body());
        assertEquals(metricsDown.body(), ingestDown.body());
    }

    @Test
    void aNatsRestartCountsOneReconnectAndHealthRecovers() throws Exception {
        gateway();
        try (LocalNatsServer dedicated = LocalNatsServer.start()) {
            QueueWorkerApp app = app("reconnect-" + QUEUES.incrementAndGet(),
                    Map.of("nats_url", dedicated.url(), "role", "ingest"));
            String health = "http://127.0.0.1:" + app.metricsPort() + "/healthz";

            dedicated.stop();
            awaitTrue("health says not ready", Duration.ofSeconds(10), () -> send(health, "GET", Map.of()).statusCode() == 503);
            dedicated.launch();

            awaitTrue("one reconnect counted", Duration.ofSeconds(20), () -> scrape(app)
                    .value("queue_worker_nats_reconnect_total", Map.of()).orElse(-1) == 1);
            awaitTrue("health is ready again", Duration.ofSeconds(10), () -> send(health, "GET", Map.of()).statusCode() == 200);
        }
    }

    @Test
    void statusOfACallIsServedAsJsonAndAnUnknownCallIdIs404() throws Exception {
        gateway();
        String queue = "status-" + QUEUES.incrementAndGet();
        QueueWorkerApp app = app(queue, Map.of());

        String callId = post(app, "echo");
        gateway.await("/cb", 1, Duration.ofSeconds(15));
        awaitTrue("the call reads succeeded", Duration.ofSeconds(10), () -> {
            JsonValue s = status(app, callId);
            return s != null && "succeeded".equals(s.map.get("state").string);
        });

        JsonValue s = status(app, callId);
        assertEquals(callId, s.map.get("call_id").string);
        assertEquals("echo", s.map.get("function").string);
        assertEquals(200, s.map.get("status").i);
        assertEquals(1, s.map.get("attempt").i);
        assertEquals(404, send("http://127.0.0.1:" + app.ingestPort() + "/async-function/status/no-such-call", "GET",
                Map.of()).statusCode());
        assertEquals(409, send("http://127.0.0.1:" + app.ingestPort() + "/async-function/" + callId, "DELETE",
                Map.of()).statusCode(), "a finished call cannot be cancelled");
        assertEquals(404, send("http://127.0.0.1:" + app.ingestPort() + "/async-function/no-such-call", "DELETE",
                Map.of()).statusCode());
        assertEquals("HTTP/1.1 400 Bad Request", rawStatusLine(app, "GET /async-function/status/bad%zz"),
                "a malformed escape in the call id is the caller's mistake");
    }

    /** The status line answering a request line sent as it is (an HTTP client would refuse a malformed escape). */
    private static String rawStatusLine(QueueWorkerApp app, String requestLine) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", app.ingestPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    @Test
    void deletingAQueuedCallAnswers202AndTheWorkerAcksItUninvokedWithACancelledCallback() throws Exception {
        gateway();
        String queue = "cancel-q-" + QUEUES.incrementAndGet();
        QueueWorkerApp ingest = app(queue, Map.of("role", "ingest"));
        String callId = post(ingest, "echo");

        HttpResponse<String> cancelled = send("http://127.0.0.1:" + ingest.ingestPort() + "/async-function/" + callId,
                "DELETE", Map.of());
        assertEquals(202, cancelled.statusCode(), cancelled.body());
        app(queue, Map.of("role", "worker"));

        RecordedRequest callback = gateway.await("/cb", 1, Duration.ofSeconds(15)).get(0);
        assertEquals("cancelled", callback.header("X-Call-Status").orElseThrow());
        assertEquals("499", callback.header("X-Function-Status").orElseThrow());
        assertEquals(0, gateway.requests("/function/").size(), "never invoked");
        awaitTrue("the message left the queue", Duration.ofSeconds(10), () -> ingest.queue().pending().total() == 0);
        assertEquals("cancelled", status(ingest, callId).map.get("state").string);
    }

    @Test
    void deletingARunningCallAbandonsItAndItIsNotRetried() throws Exception {
        gateway();
        CountDownLatch hold = new CountDownLatch(1);
        toClose.add(hold::countDown);
        gateway.respond("/function/slow", r -> Response.of(503, "late").beforeSending(() -> {
            try {
                hold.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        String queue = "cancel-r-" + QUEUES.incrementAndGet();
        QueueWorkerApp app = app(queue, Map.of());
        String callId = post(app, "slow");
        gateway.await("/function/slow", 1, Duration.ofSeconds(15));

        HttpResponse<String> cancelled = send("http://127.0.0.1:" + app.ingestPort() + "/async-function/" + callId,
                "DELETE", Map.of());

        assertEquals(202, cancelled.statusCode(), cancelled.body());
        RecordedRequest callback = gateway.await("/cb", 1, Duration.ofSeconds(15)).get(0);
        assertEquals("cancelled", callback.header("X-Call-Status").orElseThrow());
        awaitTrue("the message left the queue", Duration.ofSeconds(10), () -> app.queue().pending().total() == 0);
        hold.countDown();
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
        while (System.nanoTime() < until) {
            assertEquals(1, gateway.requests("/function/slow").size(), "not retried");
            TimeUnit.MILLISECONDS.sleep(25);
        }
    }
}
