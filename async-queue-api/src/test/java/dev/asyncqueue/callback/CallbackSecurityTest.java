package dev.asyncqueue.callback;

import dev.asyncqueue.config.WorkerSettings;
import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Callback allow-list, link-local refusal and HMAC signing. */
class CallbackSecurityTest {
    private static final String SECRET = "a-shared-secret-of-32-characters";

    @Test
    void byDefaultAnyHttpHostIsAllowedButLinkLocalAndMetadataAddressesAreRefused() {
        CallbackPolicy policy = CallbackPolicy.defaults();
        assertTrue(policy.refusal(URI.create("https://receiver.example.com/cb")).isEmpty());
        assertTrue(policy.refusal(URI.create("http://10.0.0.5:8080/cb")).isEmpty());
        for (String refused : List.of("http://169.254.169.254/latest/meta-data/", "http://169.254.0.1/", "http://[fe80::1]/",
                "http://[::ffff:169.254.169.254]/", "http://metadata.google.internal/computeMetadata/v1/",
                "http://[fd00:ec2::254]/", "ftp://receiver.example.com/",
                // The same metadata address written as one decimal number, as mapped IPv6 in hex, and with no host at all.
                "http://2852039166/latest/", "http://[::ffff:a9fe:a9fe]/", "http://169.254.43518/")) {
            assertTrue(policy.refusal(URI.create(refused)).isPresent(), refused);
        }
    }

    @Test
    void theAllowListAdmitsListedHostsAndSubdomainsOfWildcardsOnly() {
        CallbackPolicy policy = WorkerSettings.callbackPolicy(Settings.of(Map.of(WorkerSettings.CALLBACK_ALLOWED_HOSTS,
                "hooks.example.com, *.trusted.org,127.0.0.1")));
        assertTrue(policy.refusal(URI.create("https://hooks.example.com/x")).isEmpty());
        assertTrue(policy.refusal(URI.create("https://a.b.trusted.org/x")).isEmpty());
        assertTrue(policy.refusal(URI.create("http://127.0.0.1:9000/x")).isEmpty());
        assertTrue(policy.refusal(URI.create("https://trusted.org/x")).isPresent(), "the wildcard is for subdomains");
        assertTrue(policy.refusal(URI.create("https://eviltrusted.org/x")).isPresent());
        assertTrue(policy.refusal(URI.create("https://example.com/x")).isPresent());
        assertTrue(policy.refusal(URI.create("https://hooks.example.com.evil.net/x")).isPresent());
        assertTrue(policy.refusal(URI.create("https://other.net/")).orElseThrow().contains("callback_allowed_hosts"));
    }

    @Test
    void linkLocalCanBeAllowedExplicitly() {
        CallbackPolicy policy = WorkerSettings.callbackPolicy(Settings.of(Map.of(WorkerSettings.CALLBACK_ALLOW_LINK_LOCAL, "true")));
        assertTrue(policy.refusal(URI.create("http://169.254.1.1/")).isEmpty());
    }

    @Test
    void aHostNameResolvingToALinkLocalAddressIsRefusedBeforePosting() {
        // "localhost" resolves to loopback, not link-local: allowed. A literal link-local is refused after resolving too.
        CallbackPolicy policy = CallbackPolicy.defaults();
        assertTrue(policy.refusalAfterResolving(URI.create("http://localhost:1/")).isEmpty());
        assertTrue(policy.refusalAfterResolving(URI.create("http://169.254.169.254/")).isPresent());
    }

    @Test
    void invalidSettingsNameTheirVariable() {
        ConfigurationException hosts = assertThrows(ConfigurationException.class, () -> WorkerSettings.callbackPolicy(
                Settings.of(Map.of(WorkerSettings.CALLBACK_ALLOWED_HOSTS, "good.com,bad host/"))));
        assertEquals(WorkerSettings.CALLBACK_ALLOWED_HOSTS, hosts.variable());
        ConfigurationException secret = assertThrows(ConfigurationException.class, () -> WorkerSettings.callbackSigner(
                Settings.of(Map.of(WorkerSettings.CALLBACK_SIGNING_SECRET, "short-secret"))));
        assertEquals(WorkerSettings.CALLBACK_SIGNING_SECRET, secret.variable());
        assertFalse(secret.getMessage().contains("short-secret"), "the message never shows the secret");
    }

    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final long T = NOW.getEpochSecond();
    private static final byte[] BODY = "result".getBytes(StandardCharsets.UTF_8);

    private static CallbackSigner signerAt(Instant now) {
        return new CallbackSigner(SECRET.getBytes(StandardCharsets.UTF_8), CallbackSigner.DEFAULT_TOLERANCE,
                Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void theSignatureIsHmacSha256OverCallIdTimestampStatusAndBodyAsAReceiverComputesIt() throws Exception {
        CallbackSigner signer = signerAt(NOW);

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "v1=" + HexFormat.of().formatHex(mac.doFinal(("call-1\n" + T + "\n200\nresult")
                .getBytes(StandardCharsets.UTF_8)));

        assertEquals(T, signer.timestamp());
        assertEquals(expected, signer.sign("call-1", T, 200, BODY));
        assertTrue(signer.verify("call-1", Long.toString(T), "200", BODY, expected));
        assertFalse(signer.toString().contains(SECRET));
    }

    @Test
    void aSignatureIsBoundToTheCallIdTheTimestampTheStatusAndTheBody() {
        CallbackSigner signer = signerAt(NOW);
        String signature = signer.sign("call-1", T, 500, BODY);
        String ts = Long.toString(T);

        assertTrue(signer.verify("call-1", ts, "500", BODY, signature));
        assertFalse(signer.verify("call-1", ts, "200", BODY, signature), "a status changed from 500 to 200");
        assertFalse(signer.verify("call-2", ts, "500", BODY, signature), "another call id");
        assertFalse(signer.verify("call-1", Long.toString(T - 1), "500", BODY, signature), "another timestamp");
        assertFalse(signer.verify("call-1", ts, "500", "resulT".getBytes(StandardCharsets.UTF_8), signature), "another body");
        assertFalse(signer.verify("call-1", ts, "500", BODY, "v1=" + "0".repeat(64)), "another signature");
        assertFalse(signer.verify("call-1", ts, "500", BODY, null), "no signature");
        assertFalse(signer.verify("call-1", null, "500", BODY, signature), "no timestamp");
        assertFalse(signer.verify("call-1", "12a", "500", BODY, signature), "a timestamp that is not a number");
        assertFalse(new CallbackSigner("another-secret-of-32-characters!".getBytes(StandardCharsets.UTF_8),
                CallbackSigner.DEFAULT_TOLERANCE, Clock.fixed(NOW, ZoneOffset.UTC))
                .verify("call-1", ts, "500", BODY, signature), "another secret");
    }

    @Test
    void aReplayedCallbackIsRefusedOnceItsTimestampIsFurtherThanTheToleranceFromTheReceiversClock() {
        String signature = signerAt(NOW).sign("call-1", T, 200, BODY);
        String ts = Long.toString(T);

        assertTrue(signerAt(NOW.plus(Duration.ofMinutes(5))).verify("call-1", ts, "200", BODY, signature),
                "five minutes later: within the tolerance");
        assertFalse(signerAt(NOW.plus(Duration.ofMinutes(5)).plusSeconds(1)).verify("call-1", ts, "200", BODY, signature),
                "replayed after the tolerance");
        assertFalse(signerAt(NOW.minus(Duration.ofMinutes(5)).minusSeconds(1)).verify("call-1", ts, "200", BODY, signature),
                "a timestamp from too far in the future");
        CallbackSigner strict = new CallbackSigner(SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30),
                Clock.fixed(NOW.plusSeconds(31), ZoneOffset.UTC));
        assertFalse(strict.verify("call-1", ts, "200", BODY, signature), "the tolerance is configurable");
    }

    @Test
    void oneOfSeveralSignaturesMatchingIsEnoughSoASecretCanBeRotated() {
        CallbackSigner signer = signerAt(NOW);
        String signature = signer.sign("call-1", T, 200, BODY);
        assertTrue(signer.verify("call-1", Long.toString(T), "200", BODY, "v1=" + "0".repeat(64) + " " + signature));
    }

    @Test
    void aCallIdWithALineBreakIsNeverSigned() {
        assertThrows(IllegalArgumentException.class, () -> signerAt(NOW).sign("call\n1", T, 200, BODY));
    }

    private static Callback callback(String url, Map<String, List<String>> headers) {
        Invocation invocation = Invocation.builder("fn").callId("call-9").build();
        return new Callback(URI.create(url), invocation,
                InvocationResult.answered(200, headers, "out".getBytes(StandardCharsets.UTF_8), Duration.ofMillis(5)), 0, 2);
    }

    @Test
    void theGuardSignsCallbacksAndReplacesASignatureTheFunctionTriedToSet() {
        AtomicReference<Callback> sent = new AtomicReference<>();
        CallbackSigner signer = new CallbackSigner(SECRET.getBytes(StandardCharsets.UTF_8));
        GuardedCallbackSender guard = new GuardedCallbackSender(c -> {
            sent.set(c);
            return java.util.concurrent.CompletableFuture.completedFuture(200);
        }, CallbackPolicy.defaults(), Optional.of(signer));

        guard.send(callback("http://127.0.0.1:1/cb", Map.of("x-callback-signature", List.of("sha256=forged"),
                "x-callback-timestamp", List.of("1"), "X-Other", List.of("kept")))).toCompletableFuture().join();

        Map<String, List<String>> headers = sent.get().result().headers();
        String timestamp = headers.get(CallHeaders.CALLBACK_TIMESTAMP).get(0);
        assertTrue(Math.abs(signer.timestamp() - Long.parseLong(timestamp)) <= 60, "signed now: " + timestamp);
        assertEquals(List.of(signer.sign("call-9", Long.parseLong(timestamp), 200, "out".getBytes(StandardCharsets.UTF_8))),
                headers.get(CallHeaders.CALLBACK_SIGNATURE));
        assertTrue(signer.verify("call-9", timestamp, "200", "out".getBytes(StandardCharsets.UTF_8),
                headers.get(CallHeaders.CALLBACK_SIGNATURE).get(0)));
        assertFalse(headers.containsKey("x-callback-signature"));
        assertFalse(headers.containsKey("x-callback-timestamp"));
        assertEquals(List.of("kept"), headers.get("X-Other"));
        assertFalse(guard.toString().contains(SECRET));
    }

    @Test
    void theGuardRefusesAForbiddenCallbackWithoutPostingIt() {
        AtomicReference<Callback> sent = new AtomicReference<>();
        GuardedCallbackSender guard = new GuardedCallbackSender(c -> {
            sent.set(c);
            return java.util.concurrent.CompletableFuture.completedFuture(200);
        }, CallbackPolicy.defaults(), Optional.empty());

        CompletionException e = assertThrows(CompletionException.class,
                () -> guard.send(callback("http://169.254.169.254/latest", Map.of())).toCompletableFuture().join());

        assertInstanceOf(CallbackRefusedException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("link-local"));
        assertEquals(null, sent.get());
    }

    @Test
    void aHostNameIsLookedUpOffTheSendersThreadAnAddressNeedsNoLookup() {
        AtomicReference<String> postedFrom = new AtomicReference<>();
        GuardedCallbackSender guard = new GuardedCallbackSender(c -> {
            postedFrom.set(Thread.currentThread().getName());
            return java.util.concurrent.CompletableFuture.completedFuture(200);
        }, CallbackPolicy.defaults(), Optional.empty());

        assertEquals(200, guard.send(callback("http://localhost:1/cb", Map.of())).toCompletableFuture().join());
        assertTrue(postedFrom.get().startsWith("async-queue-callback-lookup"), "looked up on: " + postedFrom.get());

        assertEquals(200, guard.send(callback("http://127.0.0.1:1/cb", Map.of())).toCompletableFuture().join());
        assertEquals(Thread.currentThread().getName(), postedFrom.get());
    }
}
