package dev.asyncqueue.worker;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Each function's annotations as its latest delivery carried them, empty ones included, so that a
 * function's limiter can be found before its work is pulled, and an annotation removed from the function
 * stops applying with its next message. Bounded, the most recently used kept: function names come from
 * messages, and a caller posting to ever new names must not grow the worker's memory. A function
 * dropped from here is looked up with no annotations until its next delivery.
 */
final class FunctionAnnotations {
    /** Functions remembered at most: far more than one worker pulls from at once. */
    static final int CAPACITY = 10_000;

    private final Map<String, Map<String, String>> latest;

    FunctionAnnotations() {
        this(CAPACITY);
    }

    FunctionAnnotations(int capacity) {
        this.latest = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, String>> eldest) {
                return size() > capacity;
            }
        });
    }

    /** The function's latest delivery carried {@code annotations}. */
    void record(String function, Map<String, String> annotations) {
        latest.put(function, annotations);
    }

    /** The function's annotations as last delivered; empty when none were seen or it was dropped. */
    Map<String, String> of(String function) {
        Map<String, String> annotations = latest.get(function);
        return annotations == null ? Map.of() : annotations;
    }

    /** Functions remembered now. */
    int size() {
        return latest.size();
    }
}
