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
}
