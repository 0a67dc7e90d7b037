package dev.asyncqueue.nats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
    /** Eight bytes at a time: strings, the body above all, are most of a payload's bytes. */
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';

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
        int i = from;
        while (i < data.length) {
            int special = quoteOrBackslash(data, i);
            if (special < 0 || data[special] == '"') return special;
            i = special + 2; // the escaped character is not special
        }
        return -1;
    }

    /** Index of the first quote or backslash at or after {@code from}, or -1. */
    static int quoteOrBackslash(byte[] data, int from) {
        int i = from;
        for (; i + Long.BYTES <= data.length; i += Long.BYTES) {
            long word = (long) WORDS.get(data, i);
            long found = zeroBytes(word ^ QUOTES) | zeroBytes(word ^ BACKSLASHES);
            // Little-endian: the lowest flagged byte comes first, and the lowest flag is never a false one.
            if (found != 0) return i + (Long.numberOfTrailingZeros(found) >>> 3);
        }
        for (; i < data.length; i++) {
            if (data[i] == '"' || data[i] == '\\') return i;
        }
        return -1;
    }

    /** The high bit of each zero byte of {@code word} set (and perhaps of bytes above the first zero). */
    private static long zeroBytes(long word) {
        return (word - ONES) & ~word & HIGHS;
    }

    /** Index of the value after a key's closing quote at {@code from - 1}, or -1 when no colon follows (not a key). */
    private static int valueAfterKey(byte[] data, int from) {
        int colon = skipSpace(data, from);
        return colon < data.length && data[colon] == ':' ? skipSpace(data, colon + 1) : -1;
    }

    /** Index of the quote closing a string that starts at {@code from}, or -1 if it holds an escape or never ends. */
    private static int endOfPlainString(byte[] data, int from) {
        int special = quoteOrBackslash(data, from);
        return special >= 0 && data[special] == '"' ? special : -1;
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
