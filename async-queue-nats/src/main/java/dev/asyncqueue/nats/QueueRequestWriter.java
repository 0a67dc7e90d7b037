package dev.asyncqueue.nats;

import dev.asyncqueue.Invocation;
import io.nats.client.support.Encoding;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.asyncqueue.CallHeaders.CALLBACK_URL;
import static dev.asyncqueue.CallHeaders.CALL_ID;
import static dev.asyncqueue.CallHeaders.START_TIME;

/**
 * Writes an invocation as the OpenFaaS gateway's {@code QueueRequest} JSON, so OpenFaaS tools can read what
 * we publish. The call id travels in the {@code X-Call-Id} header, the enqueue time in {@code X-Start-Time}
 * (Unix nanoseconds) and the callback in both {@code CallbackUrl} (Go's {@code url.URL} object) and
 * {@code X-Callback-Url}; {@link QueueRequestReader} reads it back.
 */
final class QueueRequestWriter {
    private QueueRequestWriter() {
    }

    /** Encodes an invocation as {@code QueueRequest} JSON (UTF-8). */
    static byte[] encode(Invocation invocation) {
        // The base64 body is spliced in as bytes at the end, so it is copied once, not once per conversion.
        byte[] body64 = invocation.bodyLength() == 0 ? null : Base64.getEncoder().encode(invocation.bodyBuffer()).array();
        StringBuilder sb = new StringBuilder(512);
        sb.append("{\"Header\":{");
        boolean first = true;
        for (Map.Entry<String, List<String>> header : invocation.headers().entrySet()) {
            first = appendHeader(sb, first, header.getKey(), header.getValue());
        }
        if (invocation.header(CALL_ID).isEmpty()) {
            first = appendHeader(sb, first, CALL_ID, List.of(invocation.callId()));
        }
        if (invocation.header(START_TIME).isEmpty()) {
            Instant at = invocation.enqueuedAt();
            long nanos = at.getEpochSecond() * 1_000_000_000L + at.getNano();
            first = appendHeader(sb, first, START_TIME, List.of(Long.toString(nanos)));
        }
        if (invocation.callbackUrl().isPresent() && invocation.header(CALLBACK_URL).isEmpty()) {
            appendHeader(sb, first, CALLBACK_URL, List.of(invocation.callbackUrl().get().toString()));
        }
        sb.append("},\"Host\":");
        string(sb, invocation.host());
        sb.append(",\"Body\":");
        int bodyAt = -1;
        if (body64 == null) {
            sb.append("null");
        } else {
            sb.append('"');
            bodyAt = sb.length();
            sb.append('"');
        }
        sb.append(",\"Method\":");
        string(sb, invocation.method());
        sb.append(",\"Path\":");
        string(sb, invocation.path());
        sb.append(",\"QueryString\":");
        string(sb, invocation.query());
        sb.append(",\"Function\":");
        string(sb, invocation.function());
        sb.append(",\"QueueName\":");
        string(sb, invocation.queue().equals(Invocation.DEFAULT_QUEUE) ? "" : invocation.queue());
        sb.append(",\"Annotations\":{");
        first = true;
        for (Map.Entry<String, String> a : invocation.annotations().entrySet()) {
            if (!first) sb.append(',');
            first = false;
            string(sb, a.getKey());
            sb.append(':');
            string(sb, a.getValue());
        }
        sb.append("},\"CallbackUrl\":");
        if (invocation.callbackUrl().isPresent()) {
            appendUrl(sb, invocation.callbackUrl().get());
        } else {
            sb.append("null");
        }
        sb.append('}');
        if (body64 == null) {
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }
        byte[] head = sb.substring(0, bodyAt).getBytes(StandardCharsets.UTF_8);
        byte[] tail = sb.substring(bodyAt).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + body64.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(body64, 0, out, head.length, body64.length);
        System.arraycopy(tail, 0, out, head.length + body64.length, tail.length);
        return out;
    }

    private static boolean appendHeader(StringBuilder sb, boolean first, String name, List<String> values) {
        if (!first) sb.append(',');
        string(sb, name);
        sb.append(":[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) sb.append(',');
            string(sb, values.get(i));
        }
        sb.append(']');
        return false;
    }

    private static void string(StringBuilder sb, String value) {
        sb.append('"');
        Encoding.jsonEncode(sb, value);
        sb.append('"');
    }

    /** Go's {@code url.URL} as {@code encoding/json} writes it. */
    private static void appendUrl(StringBuilder sb, URI url) {
        String host = url.getHost() == null ? "" : url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
        String path = url.isOpaque() || url.getPath() == null ? "" : url.getPath();
        String rawPath = url.getRawPath() == null || url.getRawPath().equals(path) ? "" : url.getRawPath();
        sb.append("{\"Scheme\":");
        string(sb, url.getScheme() == null ? "" : url.getScheme());
        sb.append(",\"Opaque\":");
        string(sb, url.isOpaque() ? url.getRawSchemeSpecificPart() : "");
        sb.append(",\"User\":null,\"Host\":");
        string(sb, host);
        sb.append(",\"Path\":");
        string(sb, path);
        sb.append(",\"RawPath\":");
        string(sb, rawPath);
        sb.append(",\"OmitHost\":false,\"ForceQuery\":false,\"RawQuery\":");
        string(sb, url.getRawQuery() == null ? "" : url.getRawQuery());
        sb.append(",\"Fragment\":");
        string(sb, url.getFragment() == null ? "" : url.getFragment());
        sb.append(",\"RawFragment\":\"\"}");
    }
}
