package dev.asyncqueue.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "500ms, PT0.5S",
            "30s, PT30S",
            "1m30s, PT1M30S",
            "2h, PT2H",
            "1h30m, PT1H30M",
            "1.5s, PT1.5S",
            "250us, PT0.00025S",
            "100ns, PT0.0000001S",
            "45, PT45S",
    })
    void readsGoDurations(String text, Duration expected) {
        assertEquals(expected, Settings.of(Map.of("ack_wait", text)).duration("ack_wait", Duration.ZERO));
    }

    @Test
    void anUnsetDurationIsItsDefault() {
        assertEquals(Duration.ofSeconds(30), Settings.empty().duration("ack_wait", Duration.ofSeconds(30)));
    }

    @ParameterizedTest(name = "''{0}'' is refused")
    @ValueSource(strings = {"abc", "30 seconds", "10x", "1m30", "ms", "-5s", "1.5.5s", "s30"})
    void aBadDurationNamesTheVariable(String text) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> Settings.of(Map.of("upstream_timeout", text)).duration("upstream_timeout", Duration.ZERO));
        assertEquals("upstream_timeout", e.variable());
        assertTrue(e.getMessage().startsWith("upstream_timeout"), e.getMessage());
        assertTrue(e.getMessage().contains(text), "the message shows the bad value: " + e.getMessage());
    }

    @Test
    void aBadWholeNumberNamesTheVariable() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> Settings.of(Map.of("max_inflight", "lots")).integer("max_inflight", 50, 1, 10_000));
        assertEquals("max_inflight", e.variable());
        assertTrue(e.getMessage().contains("lots"), e.getMessage());
    }

    @Test
    void aWholeNumberOutsideItsRangeNamesTheVariable() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> Settings.of(Map.of("max_inflight", "0")).integer("max_inflight", 50, 1, 10_000));
        assertEquals("max_inflight", e.variable());
        assertEquals(7, Settings.of(Map.of("max_inflight", "7")).integer("max_inflight", 50, 1, 10_000));
    }

    @Test
    void booleansAcceptTheUsualWordsAndRefuseOthers() {
        assertTrue(Settings.of(Map.of("tls_insecure", "TRUE")).bool("tls_insecure", false));
        assertFalse(Settings.of(Map.of("tls_insecure", "0")).bool("tls_insecure", true));
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> Settings.of(Map.of("tls_insecure", "maybe")).bool("tls_insecure", false));
        assertEquals("tls_insecure", e.variable());
    }

    @Test
    void aChoiceIsCaseInsensitiveAndABadOneListsTheAllowedWords() {
        assertEquals("function", Settings.of(Map.of("scaling_mode", "Function"))
                .choice("scaling_mode", "static", "static", "function"));
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Settings.of(Map.of("scaling_mode", "auto"))
                .choice("scaling_mode", "static", "static", "function"));
        assertEquals("scaling_mode", e.variable());
        assertTrue(e.getMessage().contains("static") && e.getMessage().contains("function"), e.getMessage());
    }

    @Test
    void integerSetsAreCommaSeparatedAndBadPartsNameTheVariable() {
        assertEquals(Set.of(408, 429, 500), Settings.of(Map.of("retry_http_codes", "408, 429,500,"))
                .integerSet("retry_http_codes", Set.of(), 100, 599));
        assertEquals("retry_http_codes", assertThrows(ConfigurationException.class,
                () -> Settings.of(Map.of("retry_http_codes", "429,abc")).integerSet("retry_http_codes", Set.of(), 100, 599))
                .variable());
        assertEquals("retry_http_codes", assertThrows(ConfigurationException.class,
                () -> Settings.of(Map.of("retry_http_codes", "429,999")).integerSet("retry_http_codes", Set.of(), 100, 599))
                .variable());
    }

    @Test
    void blankValuesCountAsUnset() {
        Settings settings = Settings.of(Map.of("max_inflight", "  ", "queue_name", ""));
        assertEquals(50, settings.integer("max_inflight", 50, 1, 100));
        assertTrue(settings.get("queue_name").isEmpty());
    }

    @Test
    void theFirstOfSeveralNamesThatIsSetWins() {
        assertEquals("orders", Settings.of(Map.of("nats_stream", "orders")).first("queue_name", "nats_stream").orElseThrow());
        assertEquals("a", Settings.of(Map.of("queue_name", "a", "nats_stream", "b")).first("queue_name", "nats_stream")
                .orElseThrow());
    }

    @Test
    void overridesTakePrecedence() {
        Settings settings = Settings.of(Map.of("max_inflight", "5", "debug", "true")).with(Map.of("max_inflight", "9"));
        assertEquals(9, settings.integer("max_inflight", 1, 1, 100));
        assertTrue(settings.bool("debug", false));
    }

    @Test
    void toStringMasksSecretLookingNames() {
        String shown = Settings.of(Map.of(
                "nats_password", "hunter2",
                "token", "tok-123",
                "callback_secret", "s3cr3t",
                "nats_nkey_seed", "SUAABC",
                "gateway_url", "http://gateway:8080")).toString();
        assertFalse(shown.contains("hunter2"), shown);
        assertFalse(shown.contains("tok-123"), shown);
        assertFalse(shown.contains("s3cr3t"), shown);
        assertFalse(shown.contains("SUAABC"), shown);
        assertTrue(shown.contains("nats_password=****"), shown);
        assertTrue(shown.contains("gateway_url=http://gateway:8080"), "ordinary values stay readable: " + shown);
    }

    @Test
    void toStringHidesCredentialsInsideAUrl() {
        String shown = Settings.of(Map.of("nats_url", "nats://worker:hunter2@nats:4222")).toString();
        assertFalse(shown.contains("hunter2"), shown);
        assertTrue(shown.contains("nats:4222"), shown);
    }
}
