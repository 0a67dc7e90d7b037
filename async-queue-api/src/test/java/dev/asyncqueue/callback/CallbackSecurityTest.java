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
import java.time.Duration;
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

    @Test
    void theSignatureIsHmacSha256OverCallIdNewlineAndBodyAsAReceiverComputesIt() throws Exception {
        CallbackSigner signer = new CallbackSigner(SECRET.getBytes(StandardCharsets.UTF_8));
        byte[] body = "result".getBytes(StandardCharsets.UTF_8);

        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "sha256=" + HexFormat.of().formatHex(mac.doFinal("call-1\nresult".getBytes(StandardCharsets.UTF_8)));

        assertEquals(expected, signer.sign("call-1", body));
        assertTrue(signer.verify("call-1", body, expected));
        assertFalse(signer.verify("call-2", body, expected), "bound to the call id");
        assertFalse(signer.verify("call-1", "resulT".getBytes(StandardCharsets.UTF_8), expected), "bound to the body");
        assertFalse(signer.toString().contains(SECRET));
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
                "X-Other", List.of("kept")))).toCompletableFuture().join();

        Map<String, List<String>> headers = sent.get().result().headers();
        assertEquals(List.of(signer.sign("call-9", "out".getBytes(StandardCharsets.UTF_8))), headers.get(CallHeaders.CALLBACK_SIGNATURE));
        assertFalse(headers.containsKey("x-callback-signature"));
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
}
