package dev.asyncqueue.http;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.retry.RetryPolicy;
import dev.asyncqueue.spi.InvokerProvider;
import dev.asyncqueue.testing.Eventually;
import dev.asyncqueue.testing.Ports;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpInvokerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final RecordingHttpServer gateway = RecordingHttpServer.start();
    private HttpInvoker invoker = builder().gatewayUrl(gateway.baseUrl()).timeout(Duration.ofSeconds(5)).build();

    /** A builder for the invoker under test; {@link JdkHttpInvokerTest} and {@link ClassicHttpInvokerTest} run every test on the other engines. */
    HttpInvoker.Builder builder() {
        return HttpInvoker.builder();
    }

    /** The provider of the invoker under test. */
    InvokerProvider provider() {
        return new HttpInvokerProvider();
    }

    @AfterEach
    void stop() {
        invoker.close();
        gateway.close();
    }

    private InvocationResult call(Invocation invocation) throws Exception {
        return invoker.invoke(invocation).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void callsTheFunctionUrlWithTheOriginalMethodHeadersAndBody() throws Exception {
        byte[] body = "{\"id\":7}".getBytes(StandardCharsets.UTF_8);
        Invocation invocation = Invocation.builder("echo").method("PUT").path("/items/7").query("a=1&b=two")
                .header("Content-Type", "application/json")
                .header("X-Multi", "first").header("X-Multi", "second")
                .body(body).build();

        call(invocation);

        RecordedRequest r = gateway.await("/function/", 1, WAIT).get(0);
        assertEquals("PUT", r.method());
        assertEquals("/function/echo/items/7", r.path());
        assertEquals("a=1&b=two", r.query());
        assertEquals("application/json", r.header("Content-Type").orElseThrow());
        assertEquals(List.of("first", "second"), r.headers().get("X-Multi"), "every value of a multi-valued header");
        assertArrayEquals(body, r.body());
    }

    @Test
    void anEmptyPathBecomesASlashAndAGetCarriesNoBody() throws Exception {
        call(Invocation.builder("figlet.openfaas-fn").method("GET").build());

        RecordedRequest r = gateway.await("/function/", 1, WAIT).get(0);
        assertEquals("GET", r.method());
        assertEquals("/function/figlet.openfaas-fn/", r.path());
        assertEquals("", r.query());
        assertEquals(0, r.body().length);
    }

    @Test
    void theUrlJoinsGatewayFunctionPathAndQuery() {
        HttpInvoker trailingSlash = HttpInvoker.builder().gatewayUrl(URI.create("http://gateway:8080/")).build();
        try {
            assertEquals(URI.create("http://gateway:8080/function/f/"), trailingSlash.urlFor(Invocation.builder("f").build()));
            assertEquals(URI.create("http://gateway:8080/function/f/x/y?q=1"),
                    trailingSlash.urlFor(Invocation.builder("f").path("x/y").query("q=1").build()));
        } finally {
            trailingSlash.close();
        }
    }

    @Test
    void aUrlOnceFormedIsFormedAlikeAndEveryOtherPathGetsItsOwn() {
        HttpInvoker gatewayInvoker = HttpInvoker.builder().gatewayUrl(URI.create("http://gateway:8080")).build();
        try {
            Invocation x = Invocation.builder("f").path("/x").build();
            assertEquals(gatewayInvoker.urlFor(x), gatewayInvoker.urlFor(x));
            assertEquals(URI.create("http://gateway:8080/function/f/y"), gatewayInvoker.urlFor(Invocation.builder("f").path("/y").build()));
            assertEquals(URI.create("http://gateway:8080/function/g/x"), gatewayInvoker.urlFor(Invocation.builder("g").path("/x").build()));
            assertEquals(URI.create("http://gateway:8080/function/f/x?q"), gatewayInvoker.urlFor(Invocation.builder("f").path("/x").query("q").build()));
            assertThrows(IllegalArgumentException.class, () -> gatewayInvoker.urlFor(Invocation.builder("f").path("/x/..").build()));
        } finally {
            gatewayInvoker.close();
        }
    }

    @Test
    void aCleartextGatewayGetsPlainHttp11WithoutAnH2cUpgrade() throws Exception {
        call(Invocation.builder("echo").body("x".getBytes(StandardCharsets.UTF_8)).build());

        RecordedRequest r = gateway.await("/function/", 1, WAIT).get(0);
        assertTrue(r.header("Upgrade").isEmpty(), "no protocol upgrade: " + r.headers());
        assertTrue(r.header("HTTP2-Settings").isEmpty(), "no HTTP/2 settings: " + r.headers());
        assertFalse(r.header("Connection").orElse("").toLowerCase().contains("upgrade"), r.headers()::toString);
    }

    @Test
    void setsItsOwnUserAgent() throws Exception {
        call(Invocation.builder("echo").header("User-Agent", "curl/8.0").build());

        RecordedRequest r = gateway.await("/function/", 1, WAIT).get(0);
        assertEquals(List.of(HttpInvoker.USER_AGENT), r.headers().get("User-Agent"));
    }

    @Test
    void sendsTheCallIdWhenTheHeadersLackIt() throws Exception {
        call(Invocation.builder("echo").callId("call-1").build());
        call(Invocation.builder("echo").callId("call-2").header("X-Call-Id", "from-gateway").build());

        List<RecordedRequest> r = gateway.await("/function/", 2, WAIT);
        assertEquals(List.of("call-1"), r.get(0).headers().get("X-Call-Id"));
        assertEquals(List.of("from-gateway"), r.get(1).headers().get("X-Call-Id"), "the queued header is kept, not doubled");
    }

    @Test
    void headersOfTheOriginalConnectionAreNotForwarded() throws Exception {
        call(Invocation.builder("echo").body("abc".getBytes(StandardCharsets.UTF_8))
                .header("Host", "public.example.com").header("Content-Length", "999")
                .header("Connection", "close").header("X-Forwarded-For", "10.0.0.1").build());

        RecordedRequest r = gateway.await("/function/", 1, WAIT).get(0);
        assertNotEquals("public.example.com", r.header("Host").orElse(""));
        assertEquals("3", r.header("Content-Length").orElseThrow());
        assertEquals("10.0.0.1", r.header("X-Forwarded-For").orElseThrow());
        assertEquals("abc", r.bodyText());
    }

    @Test
    void theFunctionsStatusHeadersAndBodyComeBack() throws Exception {
        gateway.respond("/function/echo", r -> Response.of(201, "made " + r.bodyText()).withHeader("X-Fn", "yes"));

        InvocationResult result = call(Invocation.builder("echo").body("it".getBytes(StandardCharsets.UTF_8)).build());

        assertEquals(201, result.status());
        assertEquals("made it", new String(result.body(), StandardCharsets.UTF_8));
        assertEquals(List.of("yes"), result.headers().get("x-fn"));
        assertTrue(result.isSuccess());
        assertTrue(result.transportError().isEmpty());
        assertFalse(result.duration().isNegative());
    }

    @Test
    void anErrorStatusIsAnAnswerNotATransportFailure() throws Exception {
        gateway.respond("/function/", r -> Response.of(500, "boom"));

        InvocationResult result = call(Invocation.builder("echo").build());

        assertEquals(500, result.status());
        assertFalse(result.isTransportFailure());
        assertEquals("boom", new String(result.body(), StandardCharsets.UTF_8));
    }

    @Test
    void aRefusedConnectionIsATransportFailureWithStatus503() throws Exception {
        invoker.close();
        invoker = builder().gatewayUrl(URI.create("http://127.0.0.1:" + Ports.refusing())).build();

        InvocationResult result = call(Invocation.builder("echo").build());

        assertEquals(503, result.status());
        assertTrue(result.isTransportFailure());
        assertTrue(result.transportError().isPresent());
        assertFalse(result.isSuccess());
    }

    @Test
    void aFunctionSlowerThanTheTimeoutEndsAsATransportFailureWithinAboutTheTimeout() throws Exception {
        Duration timeout = Duration.ofMillis(300);
        invoker.close();
        invoker = builder().gatewayUrl(gateway.baseUrl()).timeout(timeout).build();
        gateway.respond("/function/slow", r -> Response.of(200, "late").after(Duration.ofSeconds(20)));

        long start = System.nanoTime();
        InvocationResult result = call(Invocation.builder("slow").build());
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(result.isTransportFailure(), result::toString);
        assertEquals(503, result.status());
        assertTrue(result.transportError().orElseThrow().contains("timed out"), result::toString);
        assertTrue(took.compareTo(timeout) >= 0, "not before the timeout: " + took);
        assertTrue(took.compareTo(timeout.plusSeconds(2)) < 0, "about the timeout, took " + took);
    }

    @Test
    void aRequestThatCannotBeFormedIsFinalAs400WithoutCallingTheGateway() throws Exception {
        InvocationResult result = call(Invocation.builder("echo").path("/a b").build());

        assertEquals(400, result.status());
        assertFalse(result.isTransportFailure());
        assertTrue(gateway.requests().isEmpty());
    }

    @Test
    void theProviderBuildsAnInvokerFromGatewayUrlAndUpstreamTimeout() throws Exception {
        Settings settings = Settings.of(Map.of(
                "gateway_url", gateway.baseUrl().toString(), "upstream_timeout", "2s"));
        HttpInvoker fromProvider = (HttpInvoker) provider().create(settings);
        try {
            assertTrue(fromProvider.toString().contains("timeout=PT2S"), fromProvider::toString);
            InvocationResult result = fromProvider.invoke(Invocation.builder("echo").build()).toCompletableFuture()
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(200, result.status());
        } finally {
            fromProvider.close();
        }
    }

    @Test
    void theProviderNamesABadGatewayUrlOrTimeout() {
        InvokerProvider provider = provider();
        assertEquals("gateway_url", assertThrows(ConfigurationException.class,
                () -> provider.create(Settings.of(Map.of("gateway_url", "gateway:8080")))).variable());
        assertEquals("upstream_timeout", assertThrows(ConfigurationException.class,
                () -> provider.create(Settings.of(Map.of("upstream_timeout", "forever")))).variable());
    }

    @Test
    void aRedirectComesBackAsTheAnswerAndIsNotFollowed() throws Exception {
        gateway.respond("/function/moved", r -> Response.of(302, "").withHeader("Location", gateway.baseUrl() + "/function/elsewhere"));

        InvocationResult result = call(Invocation.builder("moved").build());

        assertEquals(302, result.status());
        assertEquals(List.of(gateway.baseUrl() + "/function/elsewhere"), result.headers().get("location"));
        assertEquals(1, gateway.requests().size(), "nothing sent to the redirect's target: " + gateway.requests());
    }

    @Test
    void aRetryAfterHeaderReachesTheRetryPolicy() throws Exception {
        gateway.respond("/function/busy", r -> Response.of(429, "later").withHeader("Retry-After", "30"));

        InvocationResult result = call(Invocation.builder("busy").build());

        assertEquals(429, result.status());
        assertEquals(Duration.ofSeconds(30),
                RetryPolicy.defaults().decide(result, 0, () -> 0.5, Clock.systemUTC()).delay());
    }

    @Test
    void cancellingTheCallAbortsTheRunningExchange() throws Exception {
        try (RawHttpServer server = new RawHttpServer()) {
            invoker.close();
            invoker = builder().gatewayUrl(server.baseUrl()).timeout(Duration.ofSeconds(30)).build();
            CompletableFuture<InvocationResult> running = invoker.invoke(Invocation.builder("slow").build()).toCompletableFuture();
            awaitAtLeast(1, server::hanging, "the function got the call");

            running.cancel(true);

            awaitAtLeast(1, server::abandoned, "the function saw the connection closed");
            assertTrue(running.isCancelled(), () -> "ended otherwise: " + running.getNow(null));
        }
    }

    @Test
    void aCallPastTheTimeoutHasItsConnectionClosed() throws Exception {
        try (RawHttpServer server = new RawHttpServer()) {
            invoker.close();
            invoker = builder().gatewayUrl(server.baseUrl()).timeout(Duration.ofMillis(300)).build();

            InvocationResult result = call(Invocation.builder("slow").build());

            assertTrue(result.transportError().orElseThrow().contains("timed out"), result::toString);
            awaitAtLeast(1, server::abandoned, "the function saw the connection closed");
        }
    }

    private static void awaitAtLeast(int expected, IntSupplier count, String what) {
        Eventually.assertWithin(WAIT, () -> what + ": " + count.getAsInt() + " of " + expected,
                () -> count.getAsInt() >= expected);
    }
}
