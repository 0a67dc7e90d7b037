package dev.asyncqueue.nats;

import dev.asyncqueue.Invocation;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The naming scheme on the broker. A queue {@code Q} is the stream {@code OF_Q}, which holds the
 * subjects {@code Q} (what older OpenFaaS gateways publish to) and {@code Q.fn.<token>}, one per
 * function. The token encodes the function name injectively into one subject token: letters, digits
 * and {@code -} stand for themselves and every other byte of its UTF-8 form becomes {@code _XX}
 * (upper-case hex), so {@code figlet.openfaas-fn} is {@code figlet_2Eopenfaas-fn} and
 * {@code a_b} is {@code a_5Fb}.
 */
public final class Subjects {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Subjects() {
    }

    /** {@code OF_<queue>} */
    public static String streamName(String queue) {
        return "OF_" + requireQueue(queue);
    }

    /** The subject an invocation of {@code function} on {@code queue} is published to. */
    public static String forFunction(String queue, String function) {
        return requireQueue(queue) + ".fn." + encodeToken(function);
    }

    /** The wildcard matching every function subject of the queue. */
    static String allFunctions(String queue) {
        return requireQueue(queue) + ".fn.*";
    }

    /** The bare subject older gateways publish to: the queue's name. */
    static String legacy(String queue) {
        return requireQueue(queue);
    }

    /** The function a subject of this queue is for, empty for the legacy subject or a foreign one. */
    static Optional<String> functionOf(String queue, String subject) {
        String prefix = queue + ".fn.";
        if (!subject.startsWith(prefix)) return Optional.empty();
        try {
            return Optional.of(decodeToken(subject.substring(prefix.length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Encodes any string into a single subject token of letters, digits, {@code -} and {@code _}. */
    public static String encodeToken(String value) {
        if (value.isEmpty()) throw new IllegalArgumentException("cannot encode an empty name");
        StringBuilder sb = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
                sb.append((char) c);
            } else {
                sb.append('_').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
        return sb.toString();
    }

    /** The inverse of {@link #encodeToken(String)}. */
    static String decodeToken(String token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(token.length());
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c == '_') {
                if (i + 2 >= token.length()) {
                    throw new IllegalArgumentException("truncated escape in '" + token + "'");
                }
                out.write(Integer.parseInt(token.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String requireQueue(String queue) {
        if (!Invocation.isQueueName(queue)) {
            throw new IllegalArgumentException("queue name '" + queue + "' must match " + Invocation.QUEUE_NAME.pattern());
        }
        return queue;
    }
}
