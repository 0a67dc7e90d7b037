package dev.asyncqueue.nats;

import dev.asyncqueue.spi.LimiterCoordination;
import io.nats.client.support.JsonParseException;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * A limiter's report as stored in the coordination bucket: a small JSON object, readable with {@code nats
 * kv get}, for example {@code {"limit":12,"ceiling":50,"stamp":7,"cut":true,"refusal_us":3800,"rtt_us":201000}}.
 */
final class ReportCodec {
    private ReportCodec() {
    }

    static byte[] encode(LimiterCoordination.Report r) {
        return ("{\"limit\":" + r.limit() + ",\"ceiling\":" + r.ceiling() + ",\"stamp\":" + r.stamp()
                + ",\"cut\":" + r.cut() + ",\"refusal_us\":" + micros(r.refusalLatency())
                + ",\"rtt_us\":" + micros(r.roundTrip()) + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** The report, or null when {@code json} is not one. */
    static LimiterCoordination.Report decode(byte[] json) {
        if (json == null) return null;
        try {
            JsonValue root = JsonParser.parse(json);
            if (root == null || root.type != JsonValue.Type.MAP) return null;
            Map<String, JsonValue> m = root.map;
            JsonValue cut = m.get("cut");
            return new LimiterCoordination.Report((int) number(m, "limit"), (int) number(m, "ceiling"),
                    number(m, "stamp"), cut != null && Boolean.TRUE.equals(cut.bool),
                    Duration.ofNanos(number(m, "refusal_us") * 1000), Duration.ofNanos(number(m, "rtt_us") * 1000));
        } catch (JsonParseException | RuntimeException e) {
            return null;
        }
    }

    private static long micros(Duration d) {
        return d.toNanos() / 1000;
    }

    private static long number(Map<String, JsonValue> m, String key) {
        JsonValue v = m.get(key);
        if (v == null) throw new IllegalArgumentException("missing " + key);
        if (v.i != null) return v.i;
        if (v.l != null) return v.l;
        throw new IllegalArgumentException(key + " is not a whole number");
    }
}
