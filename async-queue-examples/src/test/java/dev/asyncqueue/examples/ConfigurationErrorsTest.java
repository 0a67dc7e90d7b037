package dev.asyncqueue.examples;

import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every setting {@link AppConfigTest} does not already try, given a bad value: start-up stops with a
 * message that names the variable (and never repeats a secret). Together the two cover every variable.
 */
class ConfigurationErrorsTest {

    /** variable named in the error -> the settings that provoke it. */
    private static Map<String, Map<String, String>> badValues() {
        Map<String, Map<String, String>> bad = new LinkedHashMap<>();
        bad.put("max_retry_wait", Map.of("max_retry_wait", "forever"));
        bad.put("role", Map.of("role", "both"));
        bad.put("max_message_bytes", Map.of("max_message_bytes", "10"));
        bad.put("metrics_port", Map.of("metrics_port", "70000"));
        bad.put("shutdown_grace", Map.of("shutdown_grace", "-1s"));
        bad.put("callback_timeout", Map.of("callback_timeout", "0s"));
        bad.put("nats_url", Map.of("nats_url", "just words"));
        bad.put("nats_host", Map.of("nats_host", "bad host"));
        bad.put("function_max_inflight", Map.of("function_max_inflight", "fn=0"));
        bad.put("function_queues", Map.of("function_queues", "no-pair"));
        bad.put("ingest_queues", Map.of("ingest_queues", "bad.queue"));
        bad.put("ingest_threads", Map.of("ingest_threads", "0"));
        bad.put("ingest_queue_size", Map.of("ingest_queue_size", "lots"));
        bad.put("ingest_max_pending", Map.of("ingest_max_pending", "-5"));
        bad.put("limiter_provider", Map.of("limiter_provider", "no-such-limiter"));
        bad.put("limiter_coordination", Map.of("limiter_coordination", "redis"));
        bad.put("limiter_coordination_bucket", Map.of("limiter_coordination_bucket", "bad.bucket"));
        bad.put("limiter_coordination_heartbeat", Map.of("limiter_coordination_heartbeat", "0s"));
        bad.put("limiter_coordination_ttl", Map.of("limiter_coordination_heartbeat", "5s", "limiter_coordination_ttl", "2s"));
        bad.put("worker_name", Map.of("worker_name", "has space"));
        bad.put("demo_functions", Map.of("demo_functions", "perhaps"));
        bad.put("invoker", Map.of("invoker", "no-such-invoker"));
        bad.put("callback_allowed_hosts", Map.of("callback_allowed_hosts", "ok.com,not a host/"));
        bad.put("callback_allow_link_local", Map.of("callback_allow_link_local", "sometimes"));
        bad.put("callback_signing_secret", Map.of("callback_signing_secret", "short-sekret"));
        bad.put("nats_user", Map.of("nats_password", "pw-without-user"));
        bad.put("nats_password", Map.of("nats_user", "user-without-pw"));
        bad.put("nats_token", Map.of("nats_user", "u", "nats_password", "pw-93847", "nats_token", "tok-38271"));
        bad.put("nats_nkey_seed", Map.of("nats_nkey_seed", "SUnot-a-seed"));
        bad.put("nats_nkey_seed_file", Map.of("nats_nkey_seed_file", "/nonexistent/user.nk"));
        bad.put("nats_credentials", Map.of("nats_credentials", "/nonexistent/user.creds"));
        bad.put("nats_tls_ca", Map.of("nats_tls_ca", "/nonexistent/ca.pem"));
        bad.put("nats_tls_insecure", Map.of("nats_tls_insecure", "kinda"));
        return bad;
    }

    @Test
    void everyInvalidValueStopsStartUpNamingItsVariableAndNoSecretIsRepeated() {
        badValues().forEach((variable, settings) -> {
            ConfigurationException e = assertThrows(ConfigurationException.class, () -> AppConfig.from(Settings.of(settings)),
                    variable + " " + settings);
            assertEquals(variable, e.variable(), e.getMessage());
            assertTrue(e.getMessage().startsWith(variable + ":"), e.getMessage());
            for (String secret : new String[]{"nats_password", "nats_token", "nats_nkey_seed", "callback_signing_secret"}) {
                String value = settings.get(secret);
                if (value != null) assertFalse(e.getMessage().contains(value), "the message repeats a secret: " + e.getMessage());
            }
        });
    }

    @Test
    void aBadGatewayUrlIsCaughtAsTheWorkerStartsAndNamesTheVariable() throws Exception {
        try (LocalNatsServer nats = LocalNatsServer.start()) {
            ConfigurationException e = assertThrows(ConfigurationException.class, () -> QueueWorkerApp.start(Map.of(
                    "nats_url", nats.url(), "port", "0", "metrics_port", "0", "gateway_url", "not a url")).close());
            assertEquals("gateway_url", e.variable());
        }
    }
}
