package dev.asyncqueue.nats;

import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NatsSettingsTest {

    @Test
    void withNothingSetTheDefaultsInTheTableApply() {
        NatsSettings nats = NatsSettings.read(Settings.empty());

        assertEquals("nats://127.0.0.1:4222", nats.url());
        assertEquals(Duration.ofSeconds(5), nats.connectTimeout());
        assertInstanceOf(NatsSettings.None.class, nats.auth());
        assertEquals(Optional.empty(), nats.tlsCa());
        assertFalse(nats.tlsInsecure());
    }

    @Test
    void hostAndPortMakeTheUrlUnlessNatsUrlIsSet() {
        assertEquals("nats://10.0.0.5:4333",
                NatsSettings.read(Settings.of(Map.of("nats_host", "10.0.0.5", "nats_port", "4333"))).url());
        assertEquals("nats://a:1,nats://b:2", NatsSettings.read(Settings.of(Map.of("nats_url", "nats://a:1,nats://b:2",
                "nats_host", "ignored"))).url());
    }

    @Test
    void aBadValueFailsNamingItsVariable() {
        assertEquals("nats_port", assertThrows(ConfigurationException.class,
                () -> NatsSettings.read(Settings.of(Map.of("nats_port", "0")))).variable());
        assertEquals("nats_connect_timeout", assertThrows(ConfigurationException.class,
                () -> NatsSettings.read(Settings.of(Map.of("nats_connect_timeout", "soon")))).variable());
        assertEquals("nats_tls_insecure", assertThrows(ConfigurationException.class,
                () -> NatsSettings.read(Settings.of(Map.of("nats_tls_insecure", "kinda")))).variable());
    }

    @Test
    void aBadUrlIsRefusedNamingItsVariableWithItsHostButNotItsCredentials() {
        for (String url : new String[]{"nats://u:a@b@10.0.0.5:4222", "nats://u:a%zzb@10.0.0.5:4222",
                "nats://u:a/b@10.0.0.5:4222", "nats://u:a,b@10.0.0.5:4222", "u:a b@10.0.0.5:4222"}) {
            ConfigurationException e = assertThrows(ConfigurationException.class,
                    () -> NatsSettings.read(Settings.of(Map.of("nats_url", url))), url);
            assertEquals("nats_url", e.variable());
            assertTrue(e.getMessage().contains("****@10.0.0.5:4222"), e.getMessage());
            assertFalse(e.getMessage().contains("a@b") || e.getMessage().contains(":a"), e.getMessage());
        }
    }

    @Test
    void redactionMasksEverythingUpToTheLastAtOfEachUrl() {
        assertEquals("nats://****@h:1,nats://****@h2:2", NatsConnections.redact("nats://u:p@w@h:1,nats://t/o%k@h2:2"));
        assertEquals("[nats://****@h:1]: Authorization Violation",
                NatsConnections.redact("[nats://u:p,w@h:1]: Authorization Violation"));
        assertEquals("nats://h:1 and no credentials", NatsConnections.redact("nats://h:1 and no credentials"));
    }

    @Test
    void toStringShowsNoSecret() {
        String text = NatsSettings.read(Settings.of(Map.of("nats_url", "nats://u:url-secret-1@127.0.0.1:4222",
                "nats_user", "worker", "nats_password", "pw-secret-2"))).toString()
                + NatsSettings.read(Settings.of(Map.of("nats_token", "tok-secret-3"))).toString()
                + NatsSettings.read(Settings.of(Map.of("nats_nkey_seed", "SU-seed-secret-4"))).toString();

        for (String secret : new String[]{"url-secret-1", "pw-secret-2", "tok-secret-3", "SU-seed-secret-4"}) {
            assertFalse(text.contains(secret), secret + " leaked into " + text);
        }
    }
}
