package dev.asyncqueue.nats;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What one pass over a {@code QueueRequest} payload finds before the JSON parser runs: how deep it nests, and
 * where the top-level {@code Body} string's characters lie when it holds no escape.
 *
 * <p>The pass tracks strings and brackets only. The body is most of a message, and jnats' parser builds a
 * string a character at a time; base64 never needs a JSON escape, so when the body has none its bytes can go
 * straight to the base64 decoder, which refuses anything that is not base64. A body with an escape, or a
 * repeated or escaped key, is left to the parser whole.
 *
 * @param depth      the deepest nesting of objects and arrays (counting stops past the limit given to {@link #of})
 * @param bodyStart  index of the body string's first character, or -1 when there is none to lift out
 * @param bodyEnd    index of the body string's closing quote
 */
record BodyScan(int depth, int bodyStart, int bodyEnd) {
    private static final byte[] BODY_KEY = "Body".getBytes(StandardCharsets.US_ASCII);

    /** Scans {@code data}; once the nesting passes {@code depthLimit} it stops, as the payload will be refused. */
    static BodyScan of(byte[] data, int depthLimit) {
        int depth = 0;
        int max = 0;
        int bodyStart = -1;
        int bodyEnd = -1;
        for (int i = 0; i < data.length && max <= depthLimit; i++) {
            byte b = data[i];
            if (b == '"') {
                int start = i + 1;
                int end = endOfString(data, start);
                if (end < 0) break; // unterminated: the parser says so
                int value = depth == 1 && isBodyKey(data, start, end) ? valueAfterKey(data, end + 1) : -1;
                if (value >= 0) {
                    // The last "Body" wins, as in the parser's map; one that cannot be lifted out is parsed.
                    bodyStart = -1;
                    int plainEnd = value < data.length && data[value] == '"' ? endOfPlainString(data, value + 1) : -1;
                    if (plainEnd >= 0) {
                        bodyStart = value + 1;
                        bodyEnd = plainEnd;
                        end = plainEnd;
                    } // else the loop reads the value like any other string
                }
                i = end;
            } else if (b == '{' || b == '[') {
                max = Math.max(max, ++depth);
            } else if (b == '}' || b == ']') {
                depth--;
            }
        }
        return new BodyScan(max, bodyStart, bodyEnd);
    }

    /** Whether a top-level body string was found that can be lifted out. */
    boolean hasBody() {
        return bodyStart >= 0;
    }

    /** The payload with the body string emptied: the parser still checks all of it but the base64. */
    byte[] withoutBody(byte[] data) {
        byte[] out = new byte[data.length - (bodyEnd - bodyStart)];
        System.arraycopy(data, 0, out, 0, bodyStart);
        System.arraycopy(data, bodyEnd, out, bodyStart, data.length - bodyEnd);
        return out;
    }

    /** Index of the quote closing a string whose characters start at {@code from}, or -1. */
    private static int endOfString(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == '\\') i++;
            else if (data[i] == '"') return i;
        }
        return -1;
    }

    /** Index of the value after a key's closing quote at {@code from - 1}, or -1 when no colon follows (not a key). */
    private static int valueAfterKey(byte[] data, int from) {
        int colon = skipSpace(data, from);
        return colon < data.length && data[colon] == ':' ? skipSpace(data, colon + 1) : -1;
    }

    /** Index of the quote closing a string that starts at {@code from}, or -1 if it holds an escape or never ends. */
    private static int endOfPlainString(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == '"') return i;
            if (data[i] == '\\') return -1;
        }
        return -1;
    }

    private static boolean isBodyKey(byte[] data, int start, int end) {
        return end - start == BODY_KEY.length && Arrays.equals(data, start, end, BODY_KEY, 0, BODY_KEY.length);
    }

    private static int skipSpace(byte[] data, int from) {
        int i = from;
        while (i < data.length && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r')) i++;
        return i;
    }
}
