package dev.asyncqueue.http;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;
import dev.asyncqueue.testing.RecordingHttpServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No invocation URL leaves {@code /function/<name>/}, whatever name and path a caller or a publisher chose: each
 * hostile combination is either refused (the invocation cannot be built, or its URL cannot be formed, which the
 * invoker answers as a final 400 without calling the gateway), or its URL stays under the function, both as
 * written and as a server reads it after decoding escapes, taking {@code \} for {@code /} and dropping
 * {@code ;parameters}.
 */
class InvocationUrlTest {
    private static final List<String> HOSTILE_NAMES = List.of(".", "..", "...", "....", "a/../b", "%2e%2e", "%2E%2E",
            "..%2F", "a%2f..", "a\\..", "..;", ".%00.", "a?x", "a#x", "a;b", "/", "a/b", " ", "\u2024\u2024",
            "\uff0e\uff0e", "f", "figlet.openfaas-fn", ".a", "a..", "..a");
    private static final List<String> HOSTILE_PATHS = List.of("", "/", "/../admin", "/..", "..", "../x", "/./x",
            "/a/../../b", "/%2e%2e/admin", "/%2E%2e/admin", "/.%2e/admin", "/..%2fadmin", "/..%5cadmin", "/..\\admin",
            "/a/%2e%2e%2f%2e%2e/b", "/%252e%252e/admin", "/..;/admin", "/.;x/y", "//evil.example/x", "/x?y=../z",
            "/x#/../../y", "?/../x", "#/../x", "/a b", "/%", "/ok/still-ok.txt", "/...", "/..../x");
    private static final String[] TOKENS = {"a", ".", "..", "/", "%2e", "%2E", "%2f", "%5c", "\\", ";", "?", "#", "%"};

    @Test
    void noHostileNameOrPathMakesAUrlOutsideTheFunction() {
        List<String> paths = new ArrayList<>(HOSTILE_PATHS);
        // Every path of up to three tokens, so combinations nobody thought of are tried too.
        for (String a : TOKENS) {
            paths.add(a);
            for (String b : TOKENS) {
                paths.add(a + b);
                for (String c : TOKENS) paths.add(a + b + c);
            }
        }
        int accepted = 0;
        int refused = 0;
        for (URI gateway : List.of(URI.create("http://gateway:8080"), URI.create("http://gateway:8080/base/"))) {
            HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(gateway).build();
            try {
                for (String name : HOSTILE_NAMES) {
                    for (String path : paths) {
                        URI url = urlOrNull(invoker, name, path);
                        if (url == null) {
                            refused++;
                            continue;
                        }
                        accepted++;
                        String root = gateway.getRawPath().replaceAll("/$", "") + "/function/" + name + "/";
                        String where = "name '" + name + "', path '" + path + "': " + url;
                        assertEquals(gateway.getHost(), url.getHost(), where);
                        assertTrue(url.getRawPath().startsWith(root), where);
                        // java.net.URI also folds empty segments ("//"), which take nobody anywhere.
                        assertEquals(url.getRawPath().replaceAll("/{2,}", "/"), url.normalize().getRawPath(),
                                "normalises to itself: " + where);
                        assertTrue(asAServerReadsIt(url.getRawPath()).startsWith(root), "decoded: " + where);
                    }
                }
            } finally {
                invoker.close();
            }
        }
        assertTrue(accepted > 1000 && refused > 1000, "both kinds were tried: " + accepted + " accepted, " + refused + " refused");
    }

    @Test
    void aPathWithADotSegmentIsAFinal400AndTheGatewayIsNeverCalled() throws Exception {
        try (RecordingHttpServer gateway = RecordingHttpServer.start()) {
            HttpInvoker invoker = HttpInvoker.builder().gatewayUrl(gateway.baseUrl()).timeout(Duration.ofSeconds(5)).build();
            try {
                for (String path : List.of("/../admin", "/%2e%2e/admin", "/..;/admin", "/a/..%2f..%2fadmin")) {
                    InvocationResult result = invoker.invoke(Invocation.builder("echo").path(path).build())
                            .toCompletableFuture().get(10, TimeUnit.SECONDS);
                    assertEquals(400, result.status(), path);
                    assertFalse(result.isTransportFailure(), path);
                }
                assertTrue(gateway.requests().isEmpty(), "the gateway saw nothing: " + gateway.requests());
            } finally {
                invoker.close();
            }
        }
    }

    /** The URL the invoker would call, or null when the invocation or its URL is refused. */
    private static URI urlOrNull(HttpInvoker invoker, String name, String path) {
        try {
            return invoker.urlFor(Invocation.builder(name).path(path).build());
        } catch (IllegalArgumentException refused) {
            return null;
        }
    }

    /**
     * The path as a lenient server resolves it: escapes decoded until none is left, {@code \} read as {@code /},
     * {@code ;parameters} dropped from each segment, then {@code .} and {@code ..} segments resolved.
     */
    private static String asAServerReadsIt(String rawPath) {
        String decoded = rawPath;
        for (String previous = null; !decoded.equals(previous); ) {
            previous = decoded;
            decoded = decodeAsciiEscapes(decoded);
        }
        Deque<String> segments = new ArrayDeque<>();
        String[] parts = decoded.replace('\\', '/').split("/", -1);
        boolean endsInDirectory = false;
        for (int i = 1; i < parts.length; i++) {
            String segment = parts[i].contains(";") ? parts[i].substring(0, parts[i].indexOf(';')) : parts[i];
            endsInDirectory = segment.equals(".") || segment.equals("..");
            if (segment.equals("..")) segments.pollLast();
            if (!endsInDirectory) segments.addLast(segment);
        }
        return "/" + String.join("/", segments) + (endsInDirectory ? "/" : "");
    }

    private static String decodeAsciiEscapes(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
                int value = hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2));
                if (value < 0x80) {
                    out.append((char) value);
                    i += 2;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
