package dev.asyncqueue.examples;

import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example queue-worker as a user runs it: HTTP in, callback out, errors answered clearly. */
class QueueWorkerAppTest extends RunningAppTest {
    private static final AtomicInteger QUEUES = new AtomicInteger();

    private QueueWorkerApp app(Map<String, String> extra) throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("nats_url", nats.url());
        settings.put("queue_name", "app-" + QUEUES.incrementAndGet());
        settings.put("port", "0");
        settings.put("metrics_port", "0");
        settings.put("initial_retry_wait", "100ms");
        settings.put("max_retry_wait", "200ms");
        settings.putAll(extra);
        QueueWorkerApp app = QueueWorkerApp.start(settings);
        toClose.add(app);
        return app;
    }

    private HttpResponse<String> post(QueueWorkerApp app, String path, Map<String, String> headers, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.ingestPort() + path))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Posts "hello" to the demo echo function with the demo callback receiver on {@code port} as its callback,
     * and returns what the receiver holds once the call's callback is in (or after 15 s).
     */
    private String echoCallbacks(QueueWorkerApp app, int port) throws Exception {
        HttpResponse<String> accepted = post(app, "/async-function/echo",
                Map.of("X-Callback-Url", "http://127.0.0.1:" + port + "/demo/callback"), "hello".getBytes());
        assertEquals(202, accepted.statusCode());
        String callId = accepted.headers().firstValue("X-Call-Id").orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String callbacks = "";
        while (!callbacks.contains(callId) && System.nanoTime() < deadline) {
            callbacks = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/demo/callbacks")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertTrue(callbacks.contains("\"call_id\":\"" + callId + "\""), callbacks);
        return callbacks;
    }

    private static long stored(QueueWorkerApp app) throws Exception {
        return inspector.jetStreamManagement().getStreamInfo(app.queue().streamName()).getStreamState().getMsgCount();
    }

    @Test
    void theCurlWalkthroughAcceptsACallAndTheCallbackArrives() throws Exception {
        int port = LocalNatsServer.freePort();
        QueueWorkerApp app = app(Map.of("port", Integer.toString(port), "gateway_url", "http://127.0.0.1:" + port,
                "demo_functions", "true"));

        String callbacks = echoCallbacks(app, port);
        assertTrue(callbacks.contains("\"status\":\"200\""), callbacks);
        assertTrue(callbacks.contains("\"body\":\"hello\""), callbacks);
    }

    @Test
    void withDemoFunctionsOnAnotherPortAndNoGatewaySetTheWorkerCallsTheDemoFunctionsOnThatPort() throws Exception {
        QueueWorkerApp app = app(Map.of("demo_functions", "true")); // port 0: whatever port is free, never 8080
        int port = app.ingestPort();

        String callbacks = echoCallbacks(app, port);
        assertTrue(callbacks.contains("\"status\":\"200\""), "the echo function answered, not a refused connection: " + callbacks);
    }

    @Test
    void forwardsPathQueryHeadersAndBodyToTheGatewayAndAnswers202WithTheCallId() throws Exception {
        try (RecordingHttpServer gateway = RecordingHttpServer.start()) {
            QueueWorkerApp app = app(Map.of("gateway_url", gateway.baseUrl().toString()));

            HttpResponse<String> accepted = post(app, "/async-function/figlet.openfaas-fn/a/b?x=1",
                    Map.of("X-Call-Id", "my-call-1", "X-Custom", "v"), "data".getBytes());

            assertEquals(202, accepted.statusCode());
            assertEquals("my-call-1", accepted.headers().firstValue("X-Call-Id").orElseThrow());
            RecordedRequest call = gateway.await("/function/", 1, Duration.ofSeconds(15)).get(0);
            assertEquals("/function/figlet.openfaas-fn/a/b", call.path());
            assertEquals("x=1", call.query());
            assertEquals("POST", call.method());
            assertEquals("v", call.header("X-Custom").orElseThrow());
            assertEquals("my-call-1", call.header("X-Call-Id").orElseThrow());
            assertTrue(call.header("X-Start-Time").orElseThrow().matches("\\d{19}"));
            assertEquals("data", call.bodyText());
        }
    }

    @Test
    void badRequestsGetAClearAnswerAndNothingIsStored() throws Exception {
        QueueWorkerApp app = app(Map.of("role", "ingest", "max_message_bytes", "8192"));
        String base = "http://127.0.0.1:" + app.ingestPort();

        HttpResponse<String> unknownRoute = client.send(HttpRequest.newBuilder(URI.create(base + "/nope")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> noName = post(app, "/async-function/", Map.of(), new byte[0]);
        HttpResponse<String> badName = post(app, "/async-function/bad$name", Map.of(), new byte[0]);
        HttpResponse<String> badCallback = post(app, "/async-function/echo", Map.of("X-Callback-Url", "not a url"), new byte[0]);
        HttpResponse<String> ftpCallback = post(app, "/async-function/echo", Map.of("X-Callback-Url", "ftp://x/y"), new byte[0]);
        HttpResponse<String> tooLarge = post(app, "/async-function/echo", Map.of(), new byte[9000]);
        HttpResponse<String> wrongMethod = client.send(HttpRequest.newBuilder(URI.create(base + "/async-function/echo"))
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(404, unknownRoute.statusCode());
        assertEquals(404, noName.statusCode());
        assertEquals(400, badName.statusCode());
        assertTrue(badName.body().contains("invalid function name"), badName.body());
        assertEquals(400, badCallback.statusCode());
        assertTrue(badCallback.body().contains("X-Callback-Url"), badCallback.body());
        assertEquals(400, ftpCallback.statusCode());
        assertEquals(413, tooLarge.statusCode());
        assertTrue(tooLarge.body().contains(Long.toString(app.queue().maxMessageBytes())), tooLarge.body());
        assertEquals(405, wrongMethod.statusCode());
        assertEquals(0, stored(app), "nothing is enqueued on any error");
    }

    @Test
    void whileNatsIsDownIngestAnswers503AndStoresNothingThen202OnceItIsBack() throws Exception {
        try (LocalNatsServer dedicated = LocalNatsServer.start()) {
            QueueWorkerApp app = app(Map.of("nats_url", dedicated.url(), "role", "ingest"));
            assertEquals(202, post(app, "/async-function/echo", Map.of(), "before".getBytes()).statusCode());

            dedicated.stop();
            HttpResponse<String> down = post(app, "/async-function/echo", Map.of(), "during".getBytes());
            assertEquals(503, down.statusCode());
            assertTrue(down.body().contains("NATS"), down.body());

            dedicated.launch();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int status;
            do {
                TimeUnit.MILLISECONDS.sleep(100);
                status = post(app, "/async-function/echo", Map.of(), "after".getBytes()).statusCode();
            } while (status != 202 && System.nanoTime() < deadline);
            assertEquals(202, status);
            try (Connection c = Nats.connect(dedicated.url())) {
                assertEquals(2, c.jetStreamManagement().getStreamInfo(app.queue().streamName()).getStreamState().getMsgCount(),
                        "the call before and the call after, not the one refused");
            }
        }
    }

    @Test
    void namedQueuesRouteCallsByFunctionAnnotationOrQueueNameAndRunSideBySide() throws Exception {
        String main = "main-" + QUEUES.incrementAndGet();
        String jobs = "jobs-" + QUEUES.incrementAndGet();
        try (RecordingHttpServer mainGateway = RecordingHttpServer.start();
             RecordingHttpServer jobsGateway = RecordingHttpServer.start()) {
            QueueWorkerApp ingest = app(Map.of("role", "ingest", "queue_name", main, "function_queues", "report.fn=" + jobs,
                    "ingest_queues", jobs));
            app(Map.of("role", "worker", "queue_name", main, "gateway_url", mainGateway.baseUrl().toString()));
            app(Map.of("role", "worker", "queue_name", jobs, "gateway_url", jobsGateway.baseUrl().toString(),
                    "scaling_mode", "function"));

            assertEquals(202, post(ingest, "/async-function/report.fn", Map.of(), "by annotation".getBytes()).statusCode());
            assertEquals(202, post(ingest, "/async-function/echo", Map.of("X-Queue-Name", jobs), "by name".getBytes()).statusCode());
            assertEquals(202, post(ingest, "/async-function/echo", Map.of(), "default".getBytes()).statusCode());
            HttpResponse<String> unknown = post(ingest, "/async-function/echo", Map.of("X-Queue-Name", "elsewhere"), new byte[0]);

            assertEquals(400, unknown.statusCode());
            assertTrue(unknown.body().contains("unknown queue"), unknown.body());
            List<RecordedRequest> onJobs = jobsGateway.await("/function/", 2, Duration.ofSeconds(15));
            List<RecordedRequest> onMain = mainGateway.await("/function/", 1, Duration.ofSeconds(15));
            assertEquals(List.of("by annotation", "by name"), onJobs.stream().map(RecordedRequest::bodyText).sorted().toList());
            assertEquals("default", onMain.get(0).bodyText());
            assertEquals(1, mainGateway.requests().size());
        }
    }

    /** A function that takes {@code capacity} calls at once and answers 429 above that. */
    private static void limitedFunction(RecordingHttpServer gateway, int capacity, AtomicInteger running,
                                        AtomicInteger maxRunning, AtomicInteger rejected) {
        gateway.respond("/function/narrow", r -> {
            int now = running.incrementAndGet();
            if (now > capacity) {
                running.decrementAndGet();
                rejected.incrementAndGet();
                return RecordingHttpServer.Response.of(429, "busy");
            }
            maxRunning.accumulateAndGet(now, Math::max);
            return RecordingHttpServer.Response.of(200, "ok").after(Duration.ofMillis(50))
                    .beforeSending(running::decrementAndGet);
        });
    }

    @Test
    void underTheAdaptiveLimiterA429WaitsInTheQueueWithoutUsingUpRetries() throws Exception {
        try (RecordingHttpServer gateway = RecordingHttpServer.start()) {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger maxRunning = new AtomicInteger();
            AtomicInteger rejected = new AtomicInteger();
            limitedFunction(gateway, 3, running, maxRunning, rejected);
            QueueWorkerApp app = app(Map.of("gateway_url", gateway.baseUrl().toString(), "scaling_mode", "function",
                    "max_inflight", "20", "max_retry_attempts", "2"));

            for (int i = 0; i < 40; i++) {
                assertEquals(202, post(app, "/async-function/narrow", Map.of("X-Callback-Url", gateway.baseUrl() + "/cb"),
                        new byte[0]).statusCode());
            }

            List<RecordedRequest> callbacks = gateway.await("/cb", 40, Duration.ofSeconds(60));
            assertTrue(callbacks.stream().allMatch(c -> c.header("X-Function-Status").orElseThrow().equals("200")),
                    "every call succeeded although the function refused some: 429s did not use up the 2 attempts");
            assertTrue(callbacks.stream().allMatch(c -> c.header("X-Retry").orElseThrow().equals("0")));
            assertTrue(rejected.get() < 20, "the limiter backed off instead of flooding: " + rejected.get() + " rejections");
        }
    }

    @Test
    void aFixedLimitPerFunctionFromConfigurationIsNeverExceeded() throws Exception {
        try (RecordingHttpServer gateway = RecordingHttpServer.start()) {
            AtomicInteger running = new AtomicInteger();
            AtomicInteger maxRunning = new AtomicInteger();
            AtomicInteger rejected = new AtomicInteger();
            limitedFunction(gateway, 2, running, maxRunning, rejected);
            QueueWorkerApp app = app(Map.of("gateway_url", gateway.baseUrl().toString(), "scaling_mode", "function",
                    "max_inflight", "20", "function_max_inflight", "narrow=2"));

            for (int i = 0; i < 20; i++) {
                post(app, "/async-function/narrow", Map.of("X-Callback-Url", gateway.baseUrl() + "/cb"), new byte[0]);
            }

            gateway.await("/cb", 20, Duration.ofSeconds(60));
            assertEquals(0, rejected.get(), "a fixed limit of 2 never sends a third call");
            assertTrue(maxRunning.get() <= 2);
        }
    }

    @Test
    void withTheLimiterOffA429GoesThroughTheNormalRetries() throws Exception {
        try (RecordingHttpServer gateway = RecordingHttpServer.start()) {
            gateway.respond("/function/busy", r -> RecordingHttpServer.Response.of(429, "busy"));
            QueueWorkerApp app = app(Map.of("gateway_url", gateway.baseUrl().toString(), "scaling_mode", "function",
                    "limiter_enabled", "false", "max_retry_attempts", "2"));

            post(app, "/async-function/busy", Map.of("X-Callback-Url", gateway.baseUrl() + "/cb"), new byte[0]);

            RecordedRequest callback = gateway.await("/cb", 1, Duration.ofSeconds(20)).get(0);
            assertEquals("429", callback.header("X-Function-Status").orElseThrow());
            assertEquals("1", callback.header("X-Retry").orElseThrow());
            assertEquals(2, gateway.requests("/function/busy").size());
        }
    }

    @Test
    void theJavaInvokerRunsInProcessHandlersChosenByConfigurationAlone() throws Exception {
        try (RecordingHttpServer receiver = RecordingHttpServer.start()) {
            QueueWorkerApp app = app(Map.of("invoker", "java"));

            assertEquals(202, post(app, "/async-function/uppercase",
                    Map.of("X-Callback-Url", receiver.baseUrl() + "/cb"), "shout this".getBytes()).statusCode());

            RecordedRequest callback = receiver.await("/cb", 1, Duration.ofSeconds(15)).get(0);
            assertEquals("SHOUT THIS", callback.bodyText());
            assertEquals("200", callback.header("X-Function-Status").orElseThrow());
        }
    }
}
