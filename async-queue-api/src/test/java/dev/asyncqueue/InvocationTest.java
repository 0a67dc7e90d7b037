package dev.asyncqueue;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InvocationTest {

    @Test
    void aBareInvocationIsAPostOnTheDefaultQueueWithACallId() {
        Invocation a = Invocation.builder("echo").build();
        Invocation b = Invocation.builder("echo").build();
        assertEquals("POST", a.method());
        assertEquals("faas-request", a.queue());
        assertEquals("", a.path());
        assertEquals("", a.query());
        assertEquals(0, a.bodyLength());
        assertTrue(a.callbackUrl().isEmpty());
        assertNotEquals(a.callId(), b.callId(), "each call gets its own id");
        assertEquals("faas-request", Invocation.builder("echo").queue("").build().queue(), "an empty queue is the default");
    }

    @Test
    void functionNamesMayContainANamespaceButNotSlashes() {
        assertEquals("figlet.openfaas-fn", Invocation.builder("figlet.openfaas-fn").build().function());
        assertThrows(IllegalArgumentException.class, () -> Invocation.builder("a/b").build());
        assertThrows(IllegalArgumentException.class, () -> Invocation.builder("").build());
        assertThrows(IllegalArgumentException.class, () -> Invocation.builder("f").queue("a.b").build());
        assertThrows(IllegalArgumentException.class, () -> Invocation.builder("f").method("GET /").build());
    }

    @Test
    void aFunctionNameMadeOnlyOfDotsIsRefusedSayingSo() {
        // In a URL path "." and ".." are segments of their own: /function/../x is /x.
        for (String dots : List.of(".", "..", "...", ".".repeat(200))) {
            assertFalse(Invocation.isFunctionName(dots), dots);
            assertFalse(Invocation.FUNCTION_NAME.matcher(dots).matches(), dots);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Invocation.builder(dots).build());
            assertTrue(e.getMessage().contains("only of dots"), e.getMessage());
        }
        for (String dotted : List.of(".a", "a.", "a..b", "..a", "a..", "-.", "._")) {
            assertTrue(Invocation.isFunctionName(dotted), dotted);
            assertEquals(dotted, Invocation.builder(dotted).build().function());
        }
    }

    @Test
    void theNameChecksAgreeWithThePublishedPatternsOnEveryShortName() {
        String alphabet = "aZ09-_./ é\n*>";
        StringBuilder name = new StringBuilder();
        for (int a = -1; a < alphabet.length(); a++) {
            for (int b = -1; b < alphabet.length(); b++) {
                for (int c = 0; c < alphabet.length(); c++) {
                    name.setLength(0);
                    if (a >= 0) name.append(alphabet.charAt(a));
                    if (b >= 0) name.append(alphabet.charAt(b));
                    name.append(alphabet.charAt(c));
                    String n = name.toString();
                    assertEquals(Invocation.FUNCTION_NAME.matcher(n).matches(), Invocation.isFunctionName(n), n);
                    assertEquals(Invocation.QUEUE_NAME.matcher(n).matches(), Invocation.isQueueName(n), n);
                }
            }
        }
        assertFalse(Invocation.isFunctionName(""));
        assertFalse(Invocation.isFunctionName(null));
    }

    @Test
    void headersGivenAsAMapAreCopiedAndCanStillBeAddedTo() {
        List<String> values = new java.util.ArrayList<>(List.of("a"));
        Invocation.Builder builder = Invocation.builder("echo").headers(Map.of("X-Tag", values));
        values.add("changed outside");
        Invocation i = builder.header("x-tag", "b").build();
        assertEquals(List.of("a", "b"), i.headers().get("X-Tag"));
        assertEquals(List.of("a"), values.subList(0, 1), "the caller's list is not written to");
        assertEquals(2, values.size());
    }

    @Test
    void headersAreMultiValuedAndCaseInsensitive() {
        Invocation i = Invocation.builder("echo").header("X-Tag", "a").header("x-tag", "b").build();
        assertEquals(List.of("a", "b"), i.headers().get("X-TAG"));
        assertEquals("a", i.header("x-Tag").orElseThrow());
        assertThrows(UnsupportedOperationException.class, () -> i.headers().put("X-New", List.of("v")));
    }

    @Test
    void theBodyCannotBeChangedFromOutside() {
        byte[] body = "abc".getBytes(StandardCharsets.UTF_8);
        Invocation i = Invocation.builder("echo").body(body).build();
        body[0] = 'z';
        i.body()[1] = 'z';
        assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), i.body());
    }

    @Test
    void toBuilderCopiesEveryField() {
        Invocation i = Invocation.builder("echo").callId("c1").queue("slow").method("PUT").path("/p").query("q=1")
                .header("X-A", "1").body(new byte[]{1, 2}).callbackUrl(URI.create("http://cb/x"))
                .annotations(Map.of("com.openfaas.retry.attempts", "3")).enqueuedAt(Instant.EPOCH).host("h").build();
        assertEquals(i, i.toBuilder().build());
        assertEquals(i.hashCode(), i.toBuilder().build().hashCode());
        assertNotEquals(i, i.toBuilder().path("/other").build());
    }

    @Test
    void toStringShowsNeitherHeadersNorBody() {
        String shown = Invocation.builder("echo").header("Authorization", "Bearer secret-token")
                .body("password=hunter2".getBytes(StandardCharsets.UTF_8)).build().toString();
        assertFalse(shown.contains("secret-token"), shown);
        assertFalse(shown.contains("hunter2"), shown);
        assertTrue(shown.contains("echo"), shown);
    }
}
