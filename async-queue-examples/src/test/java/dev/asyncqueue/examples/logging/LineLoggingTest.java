package dev.asyncqueue.examples.logging;

import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example apps' log output: JSON lines carrying the call's fields, readable text otherwise, no secrets. */
class LineLoggingTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    private Logger logger(boolean json, Level level) {
        return new LineLoggerFactory(new LogSettings(json, level), new PrintStream(bytes, true, StandardCharsets.UTF_8))
                .getLogger("dev.asyncqueue.worker.QueueWorker");
    }

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void inJsonModeEachEventIsOneJsonObjectWithCallIdFunctionAttemptAndStatus() throws Exception {
        Logger log = logger(true, Level.INFO);

        log.atInfo().addKeyValue("call_id", "c-1").addKeyValue("function", "figlet.openfaas-fn")
                .addKeyValue("attempt", 2).addKeyValue("status", 503).log("call {} answered", "c-1");
        log.warn("second line\nwith a newline", new IOException("boom"));

        List<String> lines = lines();
        assertEquals(2, lines.size(), "one line per event, newlines escaped");
        JsonValue first = JsonParser.parse(lines.get(0));
        assertEquals("INFO", first.map.get("level").string);
        assertEquals("dev.asyncqueue.worker.QueueWorker", first.map.get("logger").string);
        assertEquals("call c-1 answered", first.map.get("msg").string);
        assertEquals("c-1", first.map.get("call_id").string);
        assertEquals("figlet.openfaas-fn", first.map.get("function").string);
        assertEquals(2, first.map.get("attempt").i);
        assertEquals(503, first.map.get("status").i);
        assertTrue(first.map.containsKey("time") && first.map.containsKey("thread"));
        JsonValue second = JsonParser.parse(lines.get(1));
        assertTrue(second.map.get("error").string.contains("java.io.IOException: boom"));
    }

    @Test
    void debugLinesAppearOnlyWhenDebugIsOn() {
        logger(true, Level.INFO).debug("hidden detail");
        logger(true, Level.DEBUG).debug("shown detail");

        assertEquals(1, lines().size());
        assertTrue(lines().get(0).contains("shown detail"));
    }

    @Test
    void debugLeavesTheHttpClientsWireLinesOut() {
        LineLoggerFactory factory = new LineLoggerFactory(new LogSettings(false, Level.DEBUG),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));

        factory.getLogger("org.apache.hc.client5.http.wire").debug("http-outgoing-0 >> \"X-Callback-Signature: v1=...\"");
        factory.getLogger("org.apache.hc.client5.http.impl.classic.InternalHttpClient").warn("a warning still shows");
        factory.getLogger("dev.asyncqueue.worker.QueueWorker").debug("the worker's detail shows");

        assertEquals(2, lines().size(), lines()::toString);
        assertTrue(lines().get(0).contains("a warning still shows") && lines().get(1).contains("the worker's detail"));
    }

    @Test
    void credentialsInMessagesAndValuesNeverReachTheOutput() throws Exception {
        Logger log = logger(true, Level.INFO);

        log.atInfo().addKeyValue("callback", "https://bob:hunter2@hooks.example/cb?token=s3cr3t&x=1")
                .log("connecting to nats://admin:pa55word@10.0.0.5:4222 with Authorization: Bearer abc.def.ghi");

        String out = bytes.toString(StandardCharsets.UTF_8);
        for (String secret : List.of("hunter2", "s3cr3t", "pa55word", "abc.def.ghi", "bob:", "admin:")) {
            assertFalse(out.contains(secret), secret + " leaked: " + out);
        }
        Map<String, JsonValue> line = JsonParser.parse(lines().get(0)).map;
        assertEquals("https://****@hooks.example/cb?token=****&x=1", line.get("callback").string);
    }

    @Test
    void consoleModeIsReadableTextWithTheFieldsAppended() {
        Logger log = logger(false, Level.INFO);

        log.atInfo().addKeyValue("call_id", "c-2").addKeyValue("attempt", 1).log("retrying");

        String line = lines().get(0);
        assertTrue(line.matches("\\S+Z \\[.+] INFO QueueWorker - retrying call_id=c-2 attempt=1"), line);
    }

    @Test
    void logEncodingAndDebugAreReadFromTheEnvironmentNames() {
        assertEquals(new LogSettings(true, Level.DEBUG), LogSettings.from(Map.of("log_encoding", "json", "debug", "true"), null));
        assertEquals(new LogSettings(false, Level.WARN), LogSettings.from(Map.of(), "warn"));
        assertEquals(new LogSettings(false, Level.INFO), LogSettings.from(Map.of("log_encoding", "console"), null));
    }
}
