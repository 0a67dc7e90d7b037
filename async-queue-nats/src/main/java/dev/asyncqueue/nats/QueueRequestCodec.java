package dev.asyncqueue.nats;

import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.Invocation;
import io.nats.client.support.JsonParseException;
import io.nats.client.support.JsonParser;
import io.nats.client.support.Encoding;
import io.nats.client.support.JsonValue;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes invocations as the OpenFaaS gateway's {@code QueueRequest} JSON, so messages
 * published by a real gateway are understood and ours are readable by OpenFaaS tools.
 *
 * <p>The call id travels in the {@code X-Call-Id} header, the enqueue time in {@code X-Start-Time}
 * (Unix nanoseconds) and the callback in both {@code CallbackUrl} (Go's {@code url.URL} object) and
 * {@code X-Callback-Url}. Decoding is lenient where Go's is (unknown keys, absent keys,
 * {@code CallbackUrl} as a plain string) and strict about types, so a message that would make a
 * wrong call is refused with the reason.
 */
public final class QueueRequestCodec {
    static final String CALL_ID = CallHeaders.CALL_ID;
    static final String START_TIME = CallHeaders.START_TIME;
    static final String CALLBACK_URL = CallHeaders.CALLBACK_URL;
    /** A QueueRequest nests four levels; far deeper input is refused before parsing. */
    static final int MAX_NESTING = 32;
    /** Header values one invocation may carry; HTTP servers refuse far fewer (Go's and the JDK's default to a few hundred). */
    public static final int MAX_HEADER_VALUES = 1000;

    private QueueRequestCodec() {
    }

    /** Encodes an invocation as {@code QueueRequest} JSON (UTF-8). */
    public static byte[] encode(Invocation invocation) {
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

    /**
     * Decodes a {@code QueueRequest}.
     *
     * @param data          the message payload
     * @param defaultQueue  the queue to assume when {@code QueueName} is empty
     * @param fallbackId    the call id to use when the message carries none (e.g. derived from its position)
     * @throws MalformedMessageException with the reason when it is not a usable invocation
     */
    public static Invocation decode(byte[] data, String defaultQueue, String fallbackId) throws MalformedMessageException {
        try {
            return decodeChecked(data, defaultQueue, fallbackId);
        } catch (RuntimeException e) {
            // Whatever the bytes are, the caller learns "malformed" rather than an exception that could stop its loop.
            throw new MalformedMessageException("unreadable message: " + e, e);
        }
    }

    private static Invocation decodeChecked(byte[] data, String defaultQueue, String fallbackId) throws MalformedMessageException {
        Scan scan = scan(data);
        if (scan.depth() > MAX_NESTING) {
            // The JSON parser recurses per level: thousands of '[' would overflow the worker thread's stack.
            throw new MalformedMessageException("JSON nested " + scan.depth() + " levels deep, more than the " + MAX_NESTING + " allowed");
        }
        JsonValue root;
        try {
            root = JsonParser.parse(scan.hasBody() ? scan.withoutBody(data) : data);
        } catch (JsonParseException | RuntimeException e) {
            throw new MalformedMessageException("not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || root.type != JsonValue.Type.MAP) {
            throw new MalformedMessageException("expected a JSON object, got " + (root == null ? "nothing" : root.type));
        }
        Map<String, JsonValue> fields = root.map;
        String function = requiredString(fields, "Function");
        if (!Invocation.isFunctionName(function)) {
            throw new MalformedMessageException("Function '" + abbreviate(function) + "' is not a valid function name");
        }
        String method = requiredString(fields, "Method");
        Map<String, List<String>> headers = headers(fields.get("Header"));
        Invocation.Builder builder = Invocation.builder(function)
                .method(method)
                .path(optionalString(fields, "Path"))
                .query(optionalString(fields, "QueryString"))
                .host(optionalString(fields, "Host"))
                .headers(headers)
                .body(scan.hasBody() ? base64(data, scan.bodyStart(), scan.bodyEnd()) : body(fields.get("Body")))
                .annotations(stringMap(fields.get("Annotations"), "Annotations"));
        String queue = optionalString(fields, "QueueName");
        builder.queue(queue.isEmpty() ? defaultQueue : queue);
        String callId = first(headers, CALL_ID);
        builder.callId(callId == null || callId.isBlank() ? fallbackId : callId);
        String start = first(headers, START_TIME);
        if (start != null) {
            try {
                long nanos = Long.parseLong(start.trim());
                builder.enqueuedAt(Instant.ofEpochSecond(nanos / 1_000_000_000L, nanos % 1_000_000_000L));
            } catch (NumberFormatException ignored) {
                // A bad start time is not worth refusing a call for; the decode time stands in.
            }
        }
        URI callback = callbackUrl(fields.get("CallbackUrl"));
        if (callback == null) {
            String header = first(headers, CALLBACK_URL);
            if (header != null && !header.isBlank()) callback = parseUri(header.trim());
        }
        builder.callbackUrl(callback);
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException(e.getMessage(), e);
        }
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

    private static URI callbackUrl(JsonValue value) throws MalformedMessageException {
        if (value == null || value.type == JsonValue.Type.NULL) return null;
        if (value.type == JsonValue.Type.STRING) {
            return value.string.isBlank() ? null : parseUri(value.string.trim());
        }
        if (value.type != JsonValue.Type.MAP) {
            throw new MalformedMessageException("CallbackUrl must be a URL object or a string, got " + value.type);
        }
        Map<String, JsonValue> u = value.map;
        String scheme = urlPart(u, "Scheme");
        String opaque = urlPart(u, "Opaque");
        String host = urlPart(u, "Host");
        String path = urlPart(u, "Path");
        String rawPath = urlPart(u, "RawPath");
        String rawQuery = urlPart(u, "RawQuery");
        String fragment = urlPart(u, "Fragment");
        JsonValue force = u.get("ForceQuery");
        boolean forceQuery = force != null && force.type == JsonValue.Type.BOOL && force.bool;
        if (scheme.isEmpty() && host.isEmpty() && path.isEmpty() && opaque.isEmpty()) return null;
        if (!opaque.isEmpty()) {
            return parseUri(scheme + ":" + opaque + (fragment.isEmpty() ? "" : "#" + fragment));
        }
        try {
            // The multi-argument constructor quotes what Go had decoded; a raw path is already quoted.
            URI base = new URI(scheme.isEmpty() ? null : scheme, host.isEmpty() ? null : host,
                    rawPath.isEmpty() ? (path.isEmpty() ? null : path) : null, null, null);
            String text = base.toString();
            if (!rawPath.isEmpty()) text += rawPath;
            if (!rawQuery.isEmpty() || forceQuery) text += "?" + rawQuery;
            if (!fragment.isEmpty()) text += "#" + new URI(null, null, null, null, fragment).getRawFragment();
            return parseUri(text);
        } catch (URISyntaxException e) {
            throw new MalformedMessageException("CallbackUrl is not a valid URL: " + e.getMessage(), e);
        }
    }

    private static String urlPart(Map<String, JsonValue> url, String key) throws MalformedMessageException {
        JsonValue v = url.get(key);
        if (v == null || v.type == JsonValue.Type.NULL) return "";
        if (v.type != JsonValue.Type.STRING) {
            throw new MalformedMessageException("CallbackUrl." + key + " must be a string, got " + v.type);
        }
        return v.string;
    }

    private static URI parseUri(String text) throws MalformedMessageException {
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null) throw new URISyntaxException(text, "no scheme");
            return uri;
        } catch (URISyntaxException e) {
            throw new MalformedMessageException("callback URL '" + abbreviate(text) + "' is not valid: " + e.getReason(), e);
        }
    }

    private static Map<String, List<String>> headers(JsonValue value) throws MalformedMessageException {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        if (value == null || value.type == JsonValue.Type.NULL) return headers;
        if (value.type != JsonValue.Type.MAP) {
            throw new MalformedMessageException("Header must be an object of string arrays, got " + value.type);
        }
        if (value.map.size() > MAX_HEADER_VALUES) {
            throw new MalformedMessageException("Header has " + value.map.size() + " names, more than the "
                    + MAX_HEADER_VALUES + " values allowed");
        }
        int count = 0;
        for (Map.Entry<String, JsonValue> e : value.map.entrySet()) {
            JsonValue v = e.getValue();
            if (v.type == JsonValue.Type.NULL) continue;
            if (v.type == JsonValue.Type.STRING) {
                headers.put(e.getKey(), List.of(v.string));
                count++;
                continue;
            }
            if (v.type != JsonValue.Type.ARRAY) {
                throw new MalformedMessageException("Header '" + abbreviate(e.getKey()) + "' must be an array of strings, got " + v.type);
            }
            List<String> values = new ArrayList<>(v.array.size());
            for (JsonValue item : v.array) {
                if (item.type != JsonValue.Type.STRING) {
                    throw new MalformedMessageException("Header '" + abbreviate(e.getKey()) + "' has a " + item.type + " value");
                }
                values.add(item.string);
            }
            headers.put(e.getKey(), values);
            count += values.size();
            if (count > MAX_HEADER_VALUES) {
                throw new MalformedMessageException("Header has more than " + MAX_HEADER_VALUES + " values");
            }
        }
        return headers;
    }

    private static Map<String, String> stringMap(JsonValue value, String field) throws MalformedMessageException {
        Map<String, String> result = new LinkedHashMap<>();
        if (value == null || value.type == JsonValue.Type.NULL) return result;
        if (value.type != JsonValue.Type.MAP) {
            throw new MalformedMessageException(field + " must be an object of strings, got " + value.type);
        }
        for (Map.Entry<String, JsonValue> e : value.map.entrySet()) {
            if (e.getValue().type != JsonValue.Type.STRING) {
                throw new MalformedMessageException(field + " '" + abbreviate(e.getKey()) + "' must be a string");
            }
            result.put(e.getKey(), e.getValue().string);
        }
        return result;
    }

    private static byte[] body(JsonValue value) throws MalformedMessageException {
        if (value == null || value.type == JsonValue.Type.NULL) return new byte[0];
        if (value.type != JsonValue.Type.STRING) {
            throw new MalformedMessageException("Body must be a base64 string, got " + value.type);
        }
        try {
            return Base64.getDecoder().decode(value.string);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("Body is not valid base64: " + e.getMessage(), e);
        }
    }

    private static String requiredString(Map<String, JsonValue> fields, String key) throws MalformedMessageException {
        JsonValue v = fields.get(key);
        if (v == null || v.type == JsonValue.Type.NULL) {
            throw new MalformedMessageException(key + " is missing");
        }
        if (v.type != JsonValue.Type.STRING) {
            throw new MalformedMessageException(key + " must be a string, got " + v.type);
        }
        if (v.string.isEmpty()) {
            throw new MalformedMessageException(key + " is empty");
        }
        return v.string;
    }

    private static String optionalString(Map<String, JsonValue> fields, String key) throws MalformedMessageException {
        JsonValue v = fields.get(key);
        if (v == null || v.type == JsonValue.Type.NULL) return "";
        if (v.type != JsonValue.Type.STRING) {
            throw new MalformedMessageException(key + " must be a string, got " + v.type);
        }
        return v.string;
    }

    private static String first(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) return e.getValue().get(0);
        }
        return null;
    }

    /**
     * What one pass over the payload finds before the JSON parser runs: how deep it nests, and where the
     * top-level {@code Body} string's characters lie when it holds no escape.
     *
     * @param depth      the deepest nesting of objects and arrays (counting stops past the limit)
     * @param bodyStart  index of the body string's first character, or -1 when there is none to lift out
     * @param bodyEnd    index of the body string's closing quote
     */
    private record Scan(int depth, int bodyStart, int bodyEnd) {
        boolean hasBody() {
            return bodyStart >= 0;
        }

        /** The payload with the body string emptied: the parser still checks all of it but the base64. */
        byte[] withoutBody(byte[] data) {
            byte[] out = new byte[data.length - (bodyEnd - bodyStart)];
            System.arraycopy(data, 0, out, 0, bodyStart);
            System.arraycopy(data, bodyEnd, out, bodyStart, data.length - bodyEnd);
            return out;
        }
    }

    private static final byte[] BODY_KEY = "Body".getBytes(StandardCharsets.US_ASCII);

    /**
     * Tracks strings and brackets only. The body is most of a message, and jnats' parser builds its string a
     * character at a time (in the profile, 40 % of the dispatcher thread went there); base64 never needs a JSON
     * escape, so when the body has none its bytes go straight to the base64 decoder, which refuses anything
     * that is not base64. A body with an escape, or a repeated or escaped key, is left to the parser whole.
     */
    private static Scan scan(byte[] data) {
        int depth = 0;
        int max = 0;
        int bodyStart = -1;
        int bodyEnd = -1;
        for (int i = 0; i < data.length && max <= MAX_NESTING; i++) {
            byte b = data[i];
            if (b == '"') {
                int start = i + 1;
                int end = endOfString(data, start);
                if (end < 0) break; // unterminated: the parser says so
                int value = depth == 1 && isBodyKey(data, start, end) ? valueAfterKey(data, end + 1) : -1;
                if (value >= 0) {
                    // The last "Body" wins, as in the parser's map; one that cannot be lifted out is parsed.
                    bodyStart = -1;
                    int plainEnd = value < data.length && data[value] == '"' ? endOfPlainString(data, value + 1) : -1;
                    if (plainEnd >= 0) {
                        bodyStart = value + 1;
                        bodyEnd = plainEnd;
                        end = plainEnd;
                    } // else the loop reads the value like any other string
                }
                i = end;
            } else if (b == '{' || b == '[') {
                max = Math.max(max, ++depth);
            } else if (b == '}' || b == ']') {
                depth--;
            }
        }
        return new Scan(max, bodyStart, bodyEnd);
    }

    /** Index of the quote closing a string whose characters start at {@code from}, or -1. */
    private static int endOfString(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == '\\') i++;
            else if (data[i] == '"') return i;
        }
        return -1;
    }

    /** Index of the value after a key's closing quote at {@code from - 1}, or -1 when no colon follows (not a key). */
    private static int valueAfterKey(byte[] data, int from) {
        int colon = skipSpace(data, from);
        return colon < data.length && data[colon] == ':' ? skipSpace(data, colon + 1) : -1;
    }

    /** Index of the quote closing a string that starts at {@code from}, or -1 if it holds an escape or never ends. */
    private static int endOfPlainString(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == '"') return i;
            if (data[i] == '\\') return -1;
        }
        return -1;
    }

    private static boolean isBodyKey(byte[] data, int start, int end) {
        return end - start == BODY_KEY.length && Arrays.equals(data, start, end, BODY_KEY, 0, BODY_KEY.length);
    }

    private static int skipSpace(byte[] data, int from) {
        int i = from;
        while (i < data.length && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r')) i++;
        return i;
    }

    private static byte[] base64(byte[] data, int from, int to) throws MalformedMessageException {
        try {
            ByteBuffer decoded = Base64.getDecoder().decode(ByteBuffer.wrap(data, from, to - from));
            byte[] array = decoded.array();
            return decoded.arrayOffset() == 0 && decoded.remaining() == array.length ? array
                    : Arrays.copyOfRange(array, decoded.arrayOffset() + decoded.position(),
                    decoded.arrayOffset() + decoded.limit());
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("Body is not valid base64: " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }
}
