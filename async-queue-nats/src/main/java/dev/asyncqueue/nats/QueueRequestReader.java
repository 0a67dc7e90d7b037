package dev.asyncqueue.nats;

import dev.asyncqueue.Invocation;
import io.nats.client.support.JsonParseException;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.asyncqueue.CallHeaders.CALLBACK_URL;
import static dev.asyncqueue.CallHeaders.CALL_ID;
import static dev.asyncqueue.CallHeaders.START_TIME;

/**
 * Reads the OpenFaaS gateway's {@code QueueRequest} JSON into an invocation, so messages published by a real
 * gateway are understood. Lenient where Go's decoder is (unknown keys, absent keys, {@code CallbackUrl} as a
 * plain string) and strict about types, so a message that would make a wrong call is refused with the reason.
 * A top-level body that {@link BodyScan} can lift out goes straight to the base64 decoder; the parser reads
 * the rest.
 */
final class QueueRequestReader {
    /** A QueueRequest nests four levels; far deeper input is refused before parsing. */
    static final int MAX_NESTING = 32;
    /** Header values one invocation may carry; HTTP servers refuse far fewer (Go's and the JDK's default to a few hundred). */
    static final int MAX_HEADER_VALUES = 1000;

    private QueueRequestReader() {
    }

    /**
     * Decodes a {@code QueueRequest}.
     *
     * @param data          the message payload
     * @param defaultQueue  the queue to assume when {@code QueueName} is empty
     * @param fallbackId    the call id to use when the message carries none (e.g. derived from its position)
     * @throws MalformedMessageException with the reason when it is not a usable invocation
     */
    static Invocation decode(byte[] data, String defaultQueue, String fallbackId) throws MalformedMessageException {
        try {
            return decodeChecked(data, defaultQueue, fallbackId);
        } catch (RuntimeException e) {
            // Whatever the bytes are, the caller learns "malformed" rather than an exception that could stop its loop.
            throw new MalformedMessageException("unreadable message: " + e, e);
        }
    }

    private static Invocation decodeChecked(byte[] data, String defaultQueue, String fallbackId) throws MalformedMessageException {
        BodyScan scan = BodyScan.of(data, MAX_NESTING);
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
