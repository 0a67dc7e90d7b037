package dev.asyncqueue.http;

import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.callback.Callback;
import dev.asyncqueue.callback.CallbackPolicy;
import dev.asyncqueue.callback.CallbackSigner;
import dev.asyncqueue.callback.GuardedCallbackSender;
import dev.asyncqueue.testing.Ports;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpCallbackSenderTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RecordingHttpServer receiver = RecordingHttpServer.start();
    private final HttpCallbackSender sender = newSender(Duration.ofSeconds(5));

    /** The sender under test; {@link JdkHttpCallbackSenderTest} and {@link ClassicHttpCallbackSenderTest} run every test on the other engines. */
    HttpCallbackSender newSender(Duration timeout) {
        return new HttpCallbackSender(timeout);
    }

    /** Stops what {@link #newSender} started besides the sender. */
    void stopMore() {
    }

    @AfterEach
    void stop() {
        sender.close();
        stopMore();
        receiver.close();
    }

    private URI callbackUrl() {
        return receiver.baseUrl().resolve("/callback/done?token=abc");
    }

    private static Invocation invocation() {
        return Invocation.builder("figlet.openfaas-fn").callId("call-42").build();
    }

    private int send(Callback callback) throws Exception {
        return sender.send(callback).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aSignedCallbackVerifiesFromTheHeadersTheReceiverGets() throws Exception {
        CallbackSigner signer = new CallbackSigner("a-shared-secret-of-32-characters".getBytes(StandardCharsets.UTF_8));
        GuardedCallbackSender guarded = new GuardedCallbackSender(sender, CallbackPolicy.defaults(), Optional.of(signer));
        InvocationResult result = InvocationResult.answered(502, Map.of(), "upstream down".getBytes(StandardCharsets.UTF_8),
                Duration.ofMillis(3));

        guarded.send(new Callback(callbackUrl(), invocation(), result, 0, 2)).toCompletableFuture()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);

        RecordedRequest r = receiver.await("/callback/", 1, WAIT).get(0);
        assertTrue(signer.verify(r.header("X-Call-Id").orElseThrow(), r.header(CallHeaders.CALLBACK_TIMESTAMP).orElseThrow(),
                r.header("X-Function-Status").orElseThrow(), r.body(), r.header(CallHeaders.CALLBACK_SIGNATURE).orElseThrow()),
                "the signature covers the values as they arrive");
    }

    @Test
    void postsTheFunctionsBodyAndHeadersWithTheCallHeaders() throws Exception {
        InvocationResult result = InvocationResult.answered(201,
                Map.of("Content-Type", List.of("text/plain"), "X-Fn", List.of("one", "two")),
                "hello".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(1500));

        int status = send(new Callback(callbackUrl(), invocation(), result, 2, 9));

        assertEquals(200, status);
        RecordedRequest r = receiver.await("/callback/", 1, WAIT).get(0);
        assertEquals("POST", r.method());
        assertEquals("/callback/done", r.path());
        assertEquals("token=abc", r.query());
        assertEquals("hello", r.bodyText());
        assertEquals("text/plain", r.header("Content-Type").orElseThrow());
        assertEquals(List.of("one", "two"), r.headers().get("X-Fn"));
        assertEquals("call-42", r.header("X-Call-Id").orElseThrow());
        assertEquals("figlet.openfaas-fn", r.header("X-Function-Name").orElseThrow());
        assertEquals("201", r.header("X-Function-Status").orElseThrow());
        assertEquals("2", r.header("X-Retry").orElseThrow());
        assertEquals("9", r.header("X-Retry-Max").orElseThrow());
        assertEquals(HttpInvoker.USER_AGENT, r.header("User-Agent").orElseThrow());
    }

    @Test
    void aCleartextCallbackIsPlainHttp11WithoutAnH2cUpgrade() throws Exception {
        InvocationResult result = InvocationResult.answered(200, Map.of(), "x".getBytes(StandardCharsets.UTF_8),
                Duration.ofMillis(1));

        send(new Callback(callbackUrl(), invocation(), result, 0, 9));

        RecordedRequest r = receiver.await("/callback/", 1, WAIT).get(0);
        assertTrue(r.header("Upgrade").isEmpty(), "no protocol upgrade: " + r.headers());
        assertTrue(r.header("HTTP2-Settings").isEmpty(), "no HTTP/2 settings: " + r.headers());
    }

    @Test
    void theDurationIsInDecimalSeconds() throws Exception {
        InvocationResult result = InvocationResult.answered(200, Map.of(), new byte[0], Duration.ofMillis(1500));

        send(new Callback(callbackUrl(), invocation(), result, 0, 9));

        String seconds = receiver.await("/callback/", 1, WAIT).get(0).header("X-Duration-Seconds").orElseThrow();
        assertTrue(seconds.matches("\\d+\\.\\d+"), seconds);
        assertEquals(1.5, Double.parseDouble(seconds), 1e-6);
    }

    @Test
    void theDurationIsWrittenAsPercentSixFWouldWriteIt() {
        long[] nanos = {0, 1, 499, 500, 999, 1_000, 1_500, 2_500, 999_999_499, 999_999_500, 1_000_000_000,
                1_234_567_891, 86_400_000_000_000L, -1, -499, -500, -1_500, -2_000_000_000L};
        for (long n : nanos) {
            assertEquals(String.format(Locale.ROOT, "%.6f", n / 1e9), HttpCallbackSender.seconds(Duration.ofNanos(n)),
                    n + " ns");
        }
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++) {
            long n = random.nextLong(0, 3_600_000_000_000L);
            assertEquals(String.format(Locale.ROOT, "%.6f", n / 1e9), HttpCallbackSender.seconds(Duration.ofNanos(n)),
                    n + " ns");
        }
    }

    @Test
    void theCallHeadersReplaceHeadersOfTheSameNameFromTheFunction() throws Exception {
        // The OpenFaaS watchdog sets X-Duration-Seconds on its own answers.
        InvocationResult result = InvocationResult.answered(200,
                Map.of("X-Duration-Seconds", List.of("99.0"), "X-Call-Id", List.of("spoofed")), new byte[0],
                Duration.ofMillis(250));

        send(new Callback(callbackUrl(), invocation(), result, 0, 9));

        RecordedRequest r = receiver.await("/callback/", 1, WAIT).get(0);
        assertEquals(List.of("0.250000"), r.headers().get("X-Duration-Seconds"));
        assertEquals(List.of("call-42"), r.headers().get("X-Call-Id"));
    }

    @Test
    void aTransportFailureIsReportedAsStatus503() throws Exception {
        InvocationResult failed = InvocationResult.transportFailure("connection refused", Duration.ofMillis(3));

        send(new Callback(callbackUrl(), invocation(), failed, 9, 9));

        RecordedRequest r = receiver.await("/callback/", 1, WAIT).get(0);
        assertEquals("503", r.header("X-Function-Status").orElseThrow());
        assertEquals("9", r.header("X-Retry").orElseThrow());
        assertEquals("9", r.header("X-Retry-Max").orElseThrow());
        assertEquals(0, r.body().length);
    }

    @Test
    void theReceiversStatusIsReported() throws Exception {
        receiver.respond("/callback/", r -> Response.of(500, "nope"));
        InvocationResult result = InvocationResult.answered(200, Map.of(), new byte[0], Duration.ofMillis(1));

        assertEquals(500, send(new Callback(callbackUrl(), invocation(), result, 0, 9)));
    }

    @Test
    void anUnreachableReceiverFailsTheStage() throws Exception {
        URI nowhere = URI.create("http://127.0.0.1:" + Ports.refusing() + "/callback");
        InvocationResult result = InvocationResult.answered(200, Map.of(), new byte[0], Duration.ofMillis(1));

        assertThrows(ExecutionException.class,
                () -> sender.send(new Callback(nowhere, invocation(), result, 0, 9)).toCompletableFuture()
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    @Test
    void aRedirectIsReportedAndNotFollowed() throws Exception {
        receiver.respond("/callback/", r -> Response.of(307, "").withHeader("Location", receiver.baseUrl() + "/elsewhere"));
        InvocationResult result = InvocationResult.answered(200, Map.of(), "x".getBytes(StandardCharsets.UTF_8),
                Duration.ofMillis(1));

        assertEquals(307, send(new Callback(callbackUrl(), invocation(), result, 0, 9)));
        assertEquals(1, receiver.requests().size(), "nothing sent to the redirect's target: " + receiver.requests());
    }

    @Test
    void theInvokersSenderStopsWithTheInvokerNotBefore() throws Exception {
        HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(receiver.baseUrl()).build();
        InvocationResult result = InvocationResult.answered(200, Map.of(), new byte[0], Duration.ofMillis(1));
        try (HttpCallbackSender shared = invoker.callbackSender(Duration.ofSeconds(5))) {
            assertEquals(200, shared.send(new Callback(callbackUrl(), invocation(), result, 0, 9)).toCompletableFuture()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        assertEquals(200, invoker.invoke(invocation()).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS).status(),
                "closing the shared sender leaves the invoker's client open");
        HttpCallbackSender afterClose = invoker.callbackSender(Duration.ofSeconds(5));
        invoker.close();

        assertThrows(ExecutionException.class, () -> afterClose.send(new Callback(callbackUrl(), invocation(), result, 0, 9))
                .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
}
