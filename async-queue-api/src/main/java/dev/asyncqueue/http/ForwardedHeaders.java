package dev.asyncqueue.http;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Copies headers onto an outgoing request, leaving out those that belong to one hop only. */
public final class ForwardedHeaders {
    // The JDK client refuses the first five; the rest describe the original connection, not the call.
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "content-length", "expect", "host",
            "upgrade", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "http2-settings",
            "user-agent");
    private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

    private ForwardedHeaders() {
    }

    /** Whether a header of this name is carried over to the next hop. */
    public static boolean isForwarded(String name) {
        return !name.isEmpty() && !NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":");
    }

    /** Adds every forwardable header of {@code headers} to {@code request}. */
    public static void copy(Map<String, List<String>> headers, HttpRequest.Builder request) {
        headers.forEach((name, values) -> {
            if (isForwarded(name)) {
                for (String value : values) {
                    try {
                        request.header(name, value);
                    } catch (IllegalArgumentException invalid) {
                        // A header the JDK refuses (bad characters, restricted name) is dropped rather than failing the call.
                    }
                }
            }
        });
    }

    /** An HTTP token (RFC 9110): what a header name or a method may be. */
    static boolean isToken(String s) {
        if (s == null || s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alphanumeric = c < 128 && Character.isLetterOrDigit(c);
            if (!alphanumeric && TOKEN_SYMBOLS.indexOf(c) < 0) return false;
        }
        return true;
    }

    /**
     * A header value the wire can carry as it is: visible ASCII, spaces, tabs and Latin-1 octets. A line
     * break would let the value forge headers of its own.
     */
    static boolean isValidValue(String s) {
        if (s == null) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xFF || c == 0x7F || (c < 0x20 && c != '\t')) return false;
        }
        return true;
    }
}
