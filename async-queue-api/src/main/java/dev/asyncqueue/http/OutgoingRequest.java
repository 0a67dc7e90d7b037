package dev.asyncqueue.http;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One request as both clients send it: method, URL, headers in order (a name may repeat) and the body,
 * {@code null} when the request carries none.
 */
record OutgoingRequest(String method, URI url, List<Map.Entry<String, String>> headers, byte[] body) {

    /** Refuses a method that is not an HTTP token, as the JDK's client does. */
    OutgoingRequest {
        if (!ForwardedHeaders.isToken(method)) throw new IllegalArgumentException("invalid method: " + method);
        headers = List.copyOf(headers);
    }

    /** Collects headers; a header the wire cannot carry is dropped rather than failing the call. */
    static final class Headers {
        private final List<Map.Entry<String, String>> entries = new ArrayList<>();

        /** Adds a header, keeping others of the same name; dropped when name or value is not valid. */
        Headers add(String name, String value) {
            if (ForwardedHeaders.isToken(name) && ForwardedHeaders.isValidValue(value)) {
                entries.add(Map.entry(name, value));
            }
            return this;
        }

        /** Replaces every header of this name, whatever its case. */
        Headers set(String name, String value) {
            entries.removeIf(e -> e.getKey().equalsIgnoreCase(name));
            return add(name, value);
        }

        /** Adds every forwardable header. */
        Headers forward(Map<String, List<String>> headers) {
            headers.forEach((name, values) -> {
                if (ForwardedHeaders.isForwarded(name)) {
                    for (String value : values) add(name, value);
                }
            });
            return this;
        }

        List<Map.Entry<String, String>> list() {
            return entries;
        }
    }
}
