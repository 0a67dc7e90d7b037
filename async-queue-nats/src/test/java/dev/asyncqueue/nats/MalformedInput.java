package dev.asyncqueue.nats;

import dev.asyncqueue.Invocation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Generates malformed {@code QueueRequest} payloads, each with the kind of damage it carries. */
final class MalformedInput {

    /** A payload and what is wrong with it. */
    record Sample(String kind, byte[] payload) {
    }

    private static final String[] WRONG_VALUES = {"42", "true", "null", "[]", "{}", "[1,2]", "{\"a\":1}", "\"\"", "1e999", "-0"};
    private static final String[] FIELDS = {"Header", "Host", "Body", "Method", "Path", "QueryString", "Function",
            "QueueName", "Annotations", "CallbackUrl"};

    private MalformedInput() {
    }

    /** A well-formed message for {@code function} with the given call id. */
    static byte[] good(String function, String callId) {
        return QueueRequestWriter.encode(Invocation.builder(function).callId(callId).body("payload".getBytes(StandardCharsets.UTF_8))
                .header("X-Test", "1").build());
    }

    /** One example of each kind of damage a worker must survive, plus a few more a fuzzer finds. */
    static List<Sample> catalogue() {
        String good = new String(good("echo", "cat-1"), StandardCharsets.UTF_8);
        List<Sample> samples = new ArrayList<>();
        samples.add(new Sample("truncated JSON", good.substring(0, good.length() / 2).getBytes(StandardCharsets.UTF_8)));
        samples.add(new Sample("wrong types", "{\"Function\":42,\"Method\":\"POST\"}".getBytes(StandardCharsets.UTF_8)));
        samples.add(new Sample("header values not strings", "{\"Function\":\"echo\",\"Method\":\"POST\",\"Header\":{\"X\":[1]}}"
                .getBytes(StandardCharsets.UTF_8)));
        samples.add(new Sample("missing Function", "{\"Method\":\"POST\",\"Body\":\"aGk=\"}".getBytes(StandardCharsets.UTF_8)));
        samples.add(new Sample("invalid base64 body", "{\"Function\":\"echo\",\"Method\":\"POST\",\"Body\":\"%%not base64%%\"}"
                .getBytes(StandardCharsets.UTF_8)));
        samples.add(new Sample("absurdly large header map", hugeHeaderMap(20_000)));
        samples.add(new Sample("deeply nested JSON", ("{\"Function\":\"echo\",\"Method\":\"POST\",\"Header\":"
                + "[".repeat(100_000)).getBytes(StandardCharsets.UTF_8)));
        samples.add(new Sample("empty payload", new byte[0]));
        samples.add(new Sample("not JSON at all", new byte[]{(byte) 0xff, 0, 1, 2, (byte) 0xc3, '{'}));
        samples.add(new Sample("JSON array, not object", "[\"Function\",\"echo\"]".getBytes(StandardCharsets.UTF_8)));
        samples.add(new Sample("invalid function name", "{\"Function\":\"../etc/passwd\",\"Method\":\"POST\"}"
                .getBytes(StandardCharsets.UTF_8)));
        samples.add(new Sample("callback of a wrong type", "{\"Function\":\"echo\",\"Method\":\"POST\",\"CallbackUrl\":[1]}"
                .getBytes(StandardCharsets.UTF_8)));
        return samples;
    }

    static byte[] hugeHeaderMap(int names) {
        StringBuilder sb = new StringBuilder("{\"Function\":\"echo\",\"Method\":\"POST\",\"Header\":{");
        for (int i = 0; i < names; i++) {
            if (i > 0) sb.append(',');
            sb.append("\"H").append(i).append("\":[\"v\"]");
        }
        return sb.append("}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A random piece of damage applied to a good message; the result is usually, not always, malformed. */
    static Sample mutate(Random random, String callId) {
        String good = new String(good("fn-" + random.nextInt(5), callId), StandardCharsets.UTF_8);
        switch (random.nextInt(9)) {
            case 0 -> {
                return new Sample("truncated", good.substring(0, random.nextInt(good.length())).getBytes(StandardCharsets.UTF_8));
            }
            case 1 -> {
                byte[] bytes = good.getBytes(StandardCharsets.UTF_8);
                for (int i = 0, n = 1 + random.nextInt(8); i < n; i++) bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                return new Sample("bytes flipped", bytes);
            }
            case 2 -> {
                String field = FIELDS[random.nextInt(FIELDS.length)];
                String value = WRONG_VALUES[random.nextInt(WRONG_VALUES.length)];
                return new Sample("wrong type for " + field, good.replaceFirst("\"" + field + "\":(\"[^\"]*\"|\\{[^}]*\\}|null)",
                        "\"" + field + "\":" + java.util.regex.Matcher.quoteReplacement(value)).getBytes(StandardCharsets.UTF_8));
            }
            case 3 -> {
                return new Sample("no Function", good.replaceFirst("\"Function\":\"[^\"]*\",?", "").getBytes(StandardCharsets.UTF_8));
            }
            case 4 -> {
                return new Sample("bad base64", good.replaceFirst("\"Body\":\"[^\"]*\"", java.util.regex.Matcher.quoteReplacement("\"Body\":\"" + randomText(random, 9) + "\""))
                        .getBytes(StandardCharsets.UTF_8));
            }
            case 5 -> {
                byte[] bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
                return new Sample("random bytes", bytes);
            }
            case 6 -> {
                int depth = 30 + random.nextInt(5000);
                return new Sample("nested " + depth, ("{\"Function\":\"echo\",\"Method\":\"POST\",\"Annotations\":"
                        + "{\"a\":".repeat(depth)).getBytes(StandardCharsets.UTF_8));
            }
            case 7 -> {
                return new Sample("many headers", hugeHeaderMap(1001 + random.nextInt(100)));
            }
            default -> {
                // A string cut off inside an escape, or a lone surrogate.
                return new Sample("bad escape", good.replaceFirst("\"Method\":\"[^\"]*\"",
                        random.nextBoolean() ? "\"Method\":\"\\\\u12\"" : "\"Method\":\"\\\\ud800\"").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static String randomText(Random random, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) sb.append((char) (' ' + 1 + random.nextInt(90)));
        return sb.toString().replace("\"", "").replace("\\", "");
    }
}
