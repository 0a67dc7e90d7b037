package dev.asyncqueue.nats;

import dev.asyncqueue.Invocation;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QueueRequestCodecTest {

    /** A message as the OpenFaaS gateway (Go, encoding/json) publishes it. */
    private static final String GATEWAY_MESSAGE = """
            {"Header":{"Accept-Encoding":["gzip"],"Content-Type":["text/plain"],"User-Agent":["curl/7.88.1"],\
            "X-Call-Id":["6f3c1d2e-8a4b-4c5d-9e6f-7a8b9c0d1e2f"],"X-Callback-Url":["http://receiver.example:8888/cb?token=abc"],\
            "X-Multi":["one","two"],"X-Start-Time":["1700000000123456789"]},\
            "Host":"gateway.openfaas:8080",\
            "Body":"aGVsbG8gd29ybGQ=",\
            "Method":"PUT",\
            "Path":"/api/items",\
            "QueryString":"a=1&b=two",\
            "Function":"figlet.openfaas-fn",\
            "QueueName":"",\
            "Annotations":{"com.openfaas.retry.attempts":"3"},\
            "Labels":{"faas_function":"figlet"},\
            "Environment":{"write_debug":"true"},\
            "CallbackUrl":{"Scheme":"http","Opaque":"","User":null,"Host":"receiver.example:8888","Path":"/cb",\
            "RawPath":"","OmitHost":false,"ForceQuery":false,"RawQuery":"token=abc","Fragment":"","RawFragment":""},\
            "SomethingNew":{"nested":[1,2,3]}}
            """;

    @Test
    void decodesEveryFieldOfAMessageTheOpenFaasGatewayPublishes() throws Exception {
        Invocation inv = QueueRequestReader.decode(GATEWAY_MESSAGE.getBytes(StandardCharsets.UTF_8), "faas-request", "fallback");

        assertEquals("6f3c1d2e-8a4b-4c5d-9e6f-7a8b9c0d1e2f", inv.callId());
        assertEquals("figlet.openfaas-fn", inv.function());
        assertEquals("faas-request", inv.queue());
        assertEquals("PUT", inv.method());
        assertEquals("/api/items", inv.path());
        assertEquals("a=1&b=two", inv.query());
        assertEquals("gateway.openfaas:8080", inv.host());
        assertArrayEquals("hello world".getBytes(StandardCharsets.UTF_8), inv.body());
        assertEquals(List.of("one", "two"), inv.headers().get("X-Multi"));
        assertEquals(List.of("text/plain"), inv.headers().get("content-type"), "header names are case-insensitive");
        assertEquals(URI.create("http://receiver.example:8888/cb?token=abc"), inv.callbackUrl().orElseThrow());
        assertEquals(Map.of("com.openfaas.retry.attempts", "3"), inv.annotations());
        assertEquals(Instant.ofEpochSecond(1_700_000_000L, 123_456_789L), inv.enqueuedAt());
    }

    @Test
    void acceptsTheCallbackUrlAsAPlainString() throws Exception {
        String json = "{\"Function\":\"echo\",\"Method\":\"POST\",\"CallbackUrl\":\"https://hooks.example/x?y=1\"}";
        Invocation inv = QueueRequestReader.decode(json.getBytes(StandardCharsets.UTF_8), "q", "id-1");
        assertEquals(URI.create("https://hooks.example/x?y=1"), inv.callbackUrl().orElseThrow());
        assertEquals("id-1", inv.callId(), "a message without X-Call-Id gets the fallback id");
        assertEquals("q", inv.queue());
        assertEquals(0, inv.bodyLength());
    }

    @Test
    void anEmptyCallbackObjectMeansNoCallback() throws Exception {
        String json = "{\"Function\":\"echo\",\"Method\":\"POST\",\"CallbackUrl\":{\"Scheme\":\"\",\"Host\":\"\",\"Path\":\"\"}}";
        assertTrue(QueueRequestReader.decode(json.getBytes(StandardCharsets.UTF_8), "q", "id").callbackUrl().isEmpty());
    }

    @Test
    void whatWeEncodeDecodesToTheSameInvocation() throws Exception {
        Invocation original = Invocation.builder("figlet.openfaas-fn")
                .callId("call-1").queue("jobs").method("PATCH").path("/a b/ü").query("x=1&y=%20")
                .header("X-Multi", "one").header("X-Multi", "two").header("Authorization", "Bearer s3cr3t").header("X-Name", "Zoë ✓")
                .body(new byte[]{0, 1, 2, (byte) 255, '"', '\\'})
                .callbackUrl(URI.create("http://127.0.0.1:9999/cb/x%2Fy?t=a%20b#frag"))
                .annotations(Map.of("com.openfaas.queue", "jobs", "quote\"key", "line\nbreak"))
                .enqueuedAt(Instant.ofEpochSecond(1_700_000_000L, 42))
                .host("gw:8080")
                .build();
        byte[] encoded = QueueRequestWriter.encode(original);
        Invocation decoded = QueueRequestReader.decode(encoded, "faas-request", "unused");

        assertEquals(original.callId(), decoded.callId());
        assertEquals(original.function(), decoded.function());
        assertEquals("jobs", decoded.queue());
        assertEquals(original.method(), decoded.method());
        assertEquals(original.path(), decoded.path());
        assertEquals(original.query(), decoded.query());
        assertArrayEquals(original.body(), decoded.body());
        assertEquals(original.callbackUrl(), decoded.callbackUrl());
        assertEquals(original.annotations(), decoded.annotations());
        assertEquals(original.enqueuedAt(), decoded.enqueuedAt());
        assertEquals(original.host(), decoded.host());
        assertEquals(List.of("one", "two"), decoded.headers().get("X-Multi"));
        assertEquals(List.of("Zoë ✓"), decoded.headers().get("X-Name"), "non-ASCII before the body keeps the body intact");
        assertEquals(List.of("call-1"), decoded.headers().get("X-Call-Id"), "the gateway's X-Call-Id header is set");
        assertEquals(List.of("1700000000000000042"), decoded.headers().get("X-Start-Time"));
    }

    @Test
    void theDefaultQueueIsWrittenAsAnEmptyQueueName() {
        String json = new String(QueueRequestWriter.encode(Invocation.builder("f").build()), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"QueueName\":\"\""), json);
        assertTrue(json.contains("\"CallbackUrl\":null"), json);
    }

    @Test
    void refusesMessagesThatWouldMakeAWrongCallAndSaysWhy() {
        assertReason("{\"Function\":\"f\",\"Method\":\"POST\"", "not valid JSON");
        assertReason("[1,2]", "expected a JSON object");
        assertReason("{\"Method\":\"POST\"}", "Function is missing");
        assertReason("{\"Function\":42,\"Method\":\"POST\"}", "Function must be a string");
        assertReason("{\"Function\":\"bad/name\",\"Method\":\"POST\"}", "not a valid function name");
        assertReason("{\"Function\":\"f\"}", "Method is missing");
        assertReason("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":\"***\"}", "Body is not valid base64");
        assertReason("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":12}", "Body must be a base64 string");
        assertReason("{\"Function\":\"f\",\"Method\":\"POST\",\"Header\":[\"x\"]}", "Header must be an object");
        assertReason("{\"Function\":\"f\",\"Method\":\"POST\",\"Header\":{\"X\":[1]}}", "Header 'X' has a");
        assertReason("{\"Function\":\"f\",\"Method\":\"POST\",\"Path\":{}}", "Path must be a string");
        assertReason("{\"Function\":\"f\",\"Method\":\"POST\",\"CallbackUrl\":\"not a url\"}", "callback URL");
        assertReason("{\"Function\":\"f\",\"Method\":\"POST\",\"Annotations\":{\"a\":1}}", "Annotations 'a' must be a string");
    }

    @Test
    void aFunctionNameMadeOnlyOfDotsIsNeitherReadNorWritten() {
        for (String dots : List.of(".", "..", "...", "....")) {
            assertReason("{\"Function\":\"" + dots + "\",\"Method\":\"POST\"}", "Function '" + dots + "' is not a valid function name");
            // The writer takes an Invocation, and no Invocation holds such a name.
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Invocation.builder(dots).build());
            assertTrue(e.getMessage().contains("only of dots"), e.getMessage());
        }
        for (String dotted : List.of("a.b", ".a", "a.", "a..b", "figlet.openfaas-fn")) {
            Invocation i = Invocation.builder(dotted).build();
            assertDoesNotThrow(() -> QueueRequestReader.decode(QueueRequestWriter.encode(i), "q", "id"), dotted);
        }
    }

    @Test
    void theBodyReadsTheSameHoweverItsJsonIsSpelled() throws Exception {
        byte[] hello = "hello/world?".getBytes(StandardCharsets.UTF_8); // base64 "aGVsbG8vd29ybGQ/" has a '/'
        String plain = "{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":\"aGVsbG8vd29ybGQ/\"}";
        assertArrayEquals(hello, bodyOf(plain));
        assertArrayEquals(hello, bodyOf("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\" :\n \"aGVsbG8vd29ybGQ/\" }"),
                "white space around the colon");
        assertArrayEquals(hello, bodyOf("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":\"aGVsbG8vd29ybGQ\\/\"}"),
                "an encoder that escapes '/' (PHP's json_encode does)");
        assertArrayEquals(hello, bodyOf("{\"Function\":\"f\",\"Method\":\"POST\",\"B\\u006fdy\":\"aGVsbG8vd29ybGQ/\"}"),
                "an escaped key");
        assertArrayEquals(hello, bodyOf("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":\"b2xk\",\"Body\":\"aGVsbG8vd29ybGQ/\"}"),
                "a repeated key: the last one counts, as for every other field");
        assertArrayEquals(hello, bodyOf("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":\"b2xk\",\"Body\":\"aGVsbG8vd29ybGQ\\/\"}"),
                "a repeated key whose last value has an escape");
        assertArrayEquals(hello, bodyOf("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":\"b2x\\u006b\",\"Body\":\"aGVsbG8vd29ybGQ/\"}"),
                "a repeated key whose first value has an escape");
        Invocation nested = QueueRequestReader.decode(("{\"Header\":{\"Body\":[\"x\"]},\"Function\":\"f\",\"Method\":\"POST\","
                + "\"Annotations\":{\"Body\":\"y\"},\"Body\":\"aGVsbG8vd29ybGQ/\"}").getBytes(StandardCharsets.UTF_8), "q", "id");
        assertArrayEquals(hello, nested.body(), "keys named Body inside other objects are not the body");
        assertEquals(List.of("x"), nested.headers().get("Body"));
        assertEquals(Map.of("Body", "y"), nested.annotations());
        assertArrayEquals(new byte[0], bodyOf("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":\"\"}"));
        assertArrayEquals(new byte[0], bodyOf("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":null}"));
    }

    @Test
    void aBodyThatIsNotBase64OrBreaksTheJsonIsRefusedWithTheReason() {
        assertReason("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":\"aGVs\u00e9bG8=\"}", "Body is not valid base64");
        assertReason("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":\"aGVs\tbG8=\"}", "Body is not valid base64");
        assertReason("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":\"aGVsbG8=", "not valid JSON");
        assertReason("{\"Function\":\"f\",\"Method\":\"POST\",\"Body\":\"aGVsbG8=\"", "not valid JSON");
    }

    private static byte[] bodyOf(String json) throws MalformedMessageException {
        return QueueRequestReader.decode(json.getBytes(StandardCharsets.UTF_8), "q", "id").body();
    }

    private static void assertReason(String json, String expected) {
        MalformedMessageException e = assertThrows(MalformedMessageException.class,
                () -> QueueRequestReader.decode(json.getBytes(StandardCharsets.UTF_8), "q", "id"), json);
        assertTrue(e.getMessage().contains(expected), "reason '" + e.getMessage() + "' should mention '" + expected + "'");
    }
}
