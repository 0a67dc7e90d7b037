package dev.asyncqueue.examples.web;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A whole answer: status, header lines and body.
 *
 * @param status  the HTTP status
 * @param headers header lines by name, one value each ({@code Content-Type} among them when there is a body)
 * @param body    the body, empty for none
 */
public record Reply(int status, Map<String, String> headers, byte[] body) {
    /** Plain text, as the ingest's answers are. */
    public static final String TEXT = "text/plain; charset=utf-8";
    /** JSON, as call states are. */
    public static final String JSON = "application/json";

    /** Keeps its own copy of the header lines. */
    public Reply {
        headers = Map.copyOf(headers);
    }

    /** An answer with {@code body} (UTF-8) of {@code contentType}. */
    public static Reply of(int status, String contentType, String body) {
        return of(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    /** An answer with {@code body} of {@code contentType}. */
    public static Reply of(int status, String contentType, byte[] body) {
        return new Reply(status, Map.of("Content-Type", contentType), body);
    }

    /** An answer without a body. */
    public static Reply empty(int status) {
        return new Reply(status, Map.of(), new byte[0]);
    }

    /** This answer with one more header line (or {@code name}'s value replaced). */
    public Reply with(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Reply(status, more, body);
    }
}
