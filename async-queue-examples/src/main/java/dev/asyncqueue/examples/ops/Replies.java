package dev.asyncqueue.examples.ops;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes a whole answer, status and body, for the operating endpoints on the metrics port's JDK server. */
final class Replies {
    static final String TEXT = "text/plain; charset=utf-8";
    static final String JSON = "application/json";

    private Replies() {
    }

    static void send(HttpExchange exchange, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
