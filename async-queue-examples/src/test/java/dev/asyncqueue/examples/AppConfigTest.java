package dev.asyncqueue.examples;

import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.retry.Backoff;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AppConfigTest {

    @Test
    void defaultsAreTheOpenFaasOnes() {
        AppConfig c = AppConfig.from(Settings.empty());
        assertEquals("faas-request", c.queue());
        assertEquals(ScalingMode.STATIC, c.scalingMode());
        assertEquals(50, c.maxInflight());
        assertEquals(Duration.ofSeconds(30), c.ackWait());
        assertEquals(10, c.retryPolicy().maxAttempts());
        assertEquals(Duration.ofSeconds(10), c.retryPolicy().initialWait());
        assertEquals(Duration.ofSeconds(120), c.retryPolicy().maxWait());
        assertEquals(Set.of(408, 429, 500, 502, 503, 504), c.retryPolicy().retryCodes());
        assertEquals(Backoff.EXPONENTIAL, c.retryPolicy().backoff());
        assertEquals(1, c.streamReplicas());
        assertTrue(c.limiterEnabled());
        assertEquals(Duration.ofSeconds(30), c.inactiveThreshold());
        assertEquals("", c.natsUrl(), "no NATS configured means a local development server");
        assertEquals(8080, c.port());
        assertEquals(8081, c.metricsPort());
    }

    @Test
    void natsHostAndPortOrNatsStreamAreUnderstood() {
        AppConfig c = AppConfig.from(Settings.of(Map.of("nats_host", "nats.local", "nats_port", "4333", "nats_stream", "jobs")));
        assertEquals("nats://nats.local:4333", c.natsUrl());
        assertEquals("jobs", c.queue());
    }

    @Test
    void everyInvalidValueNamesItsVariable() {
        Map<String, String> bad = Map.ofEntries(
                Map.entry("max_retry_attempts", "abc"), Map.entry("max_inflight", "0"), Map.entry("ack_wait", "soon"),
                Map.entry("initial_retry_wait", "-"), Map.entry("retry_http_codes", "500,abc"), Map.entry("backoff", "linear"),
                Map.entry("scaling_mode", "dynamic"), Map.entry("queue_name", "a.b"), Map.entry("nats_port", "99999"),
                Map.entry("nats_stream_replicas", "9"), Map.entry("limiter_enabled", "maybe"), Map.entry("upstream_timeout", "0s"),
                Map.entry("log_encoding", "xml"), Map.entry("debug", "yes please"), Map.entry("tls_insecure", "2"),
                Map.entry("port", "-1"), Map.entry("consumer_inactive_threshold", "x"), Map.entry("nats_storage", "disk"));
        for (Map.Entry<String, String> entry : bad.entrySet()) {
            ConfigurationException e = assertThrows(ConfigurationException.class,
                    () -> AppConfig.from(Settings.of(Map.of(entry.getKey(), entry.getValue()))), entry.toString());
            assertEquals(entry.getKey(), e.variable());
            assertTrue(e.getMessage().startsWith(entry.getKey() + ":"), e.getMessage());
        }
    }

    @Test
    void scalingModeIsStaticOrFunctionAndAnotherValueNamesBoth() {
        assertEquals(ScalingMode.FUNCTION, AppConfig.from(Settings.of(Map.of("scaling_mode", "function"))).scalingMode());
        assertEquals(ScalingMode.STATIC, AppConfig.from(Settings.of(Map.of("scaling_mode", "Static"))).scalingMode());

        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> AppConfig.from(Settings.of(Map.of("scaling_mode", "per-function"))));

        assertEquals("scaling_mode", e.variable());
        assertTrue(e.getMessage().contains("static") && e.getMessage().contains("function")
                && e.getMessage().contains("'per-function'"), e.getMessage());
    }

    @Test
    void theAppRefusesToStartOnABadValueAndSaysWhichVariable() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                QueueWorkerApp.class.getName()).redirectErrorStream(true);
        pb.environment().put("max_retry_attempts", "abc");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "exits promptly");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), output);
        assertTrue(output.contains("max_retry_attempts"), output);
    }

    @Test
    void theDescriptionNeverShowsCredentials() {
        AppConfig c = AppConfig.from(Settings.of(Map.of("nats_url", "nats://user:s3cret@127.0.0.1:4222",
                "nats_user", "app", "nats_password", "hunter2")));
        assertFalse(c.toString().contains("s3cret"), c.toString());
        assertFalse(c.settings().toString().contains("hunter2"), c.settings().toString());
        assertFalse(List.of(c.toString()).toString().contains("hunter2"));
    }
}
