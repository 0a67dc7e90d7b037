package dev.asyncqueue.tracing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Puts a step's trace headers in place of those a message already had (of any case), so only one context travels. */
final class TraceHeaders {
    private TraceHeaders() {
    }

    static Map<String, List<String>> replaced(Map<String, List<String>> headers, Map<String, String> context) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> {
            if (!containsIgnoringCase(context, name)) copy.put(name, values);
        });
        context.forEach((name, value) -> copy.put(name, List.of(value)));
        return copy;
    }

    private static boolean containsIgnoringCase(Map<String, String> context, String name) {
        for (String key : context.keySet()) {
            if (key.equalsIgnoreCase(name)) return true;
        }
        return false;
    }
}
