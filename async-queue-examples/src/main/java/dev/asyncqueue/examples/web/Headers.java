package dev.asyncqueue.examples.web;

import java.util.function.BiConsumer;

/** A request's header lines as received; names compare without regard to case. */
public interface Headers {
    /** The first value of {@code name}, or null when absent. */
    String first(String name);

    /** Hands over every header line, name and value, in the order received. */
    void forEach(BiConsumer<String, String> line);

    /** How many header lines the request has. */
    default int lines() {
        int[] lines = {0};
        forEach((name, value) -> lines[0]++);
        return lines[0];
    }

    /** The header lines' size as sent: each name and value, a colon, a space and the line end. */
    default long bytes() {
        long[] total = {0};
        forEach((name, value) -> total[0] += name.length() + value.length() + 4);
        return total[0];
    }
}
