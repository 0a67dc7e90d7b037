package dev.asyncqueue.nats;

import io.nats.client.Message;

/**
 * The two numbers a delivery needs from a JetStream message's reply subject: how often it was delivered and its
 * stream sequence. Read straight from the subject's tokens, because jnats' {@code metaData()} parses every token
 * (the timestamp as a date too) and splits the subject into strings, once per message on the pulling thread. An
 * unknown layout is left to {@code metaData()}.
 *
 * @param delivered       how many times the server has delivered the message, this one included
 * @param streamSequence  the message's sequence in its stream
 */
record AckReply(long delivered, long streamSequence) {
    /** {@code $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<timestamp>.<pending>} */
    private static final int V1_TOKENS = 9;
    /** The same with a domain and an account hash before the stream, and possibly a random token at the end. */
    private static final int V2_MIN_TOKENS = 11;
    private static final int MAX_TOKENS = 12;

    /** The message's reply-subject numbers; the caller has checked that it is a JetStream delivery. */
    static AckReply of(Message message) {
        AckReply reply = parse(message.getReplyTo());
        if (reply != null) return reply;
        return new AckReply(message.metaData().deliveredCount(), message.metaData().streamSequence());
    }

    /** The numbers of an ack subject, or null when it has another layout than the two jnats knows. */
    static AckReply parse(String subject) {
        if (subject == null || !subject.startsWith("$JS.ACK.")) return null;
        int[] dots = new int[MAX_TOKENS];
        int count = 0;
        for (int i = 0; i < subject.length(); i++) {
            if (subject.charAt(i) == '.') {
                if (count == MAX_TOKENS - 1) return null;
                dots[count++] = i;
            }
        }
        int tokens = count + 1;
        int first;
        if (tokens == V1_TOKENS) {
            first = 2;
        } else if (tokens >= V2_MIN_TOKENS) {
            first = 4;
        } else {
            return null;
        }
        // Token t runs from dots[t - 1] + 1 to dots[t]; delivered is two after the stream, its sequence three.
        long delivered = number(subject, dots[first + 1] + 1, dots[first + 2]);
        long sequence = number(subject, dots[first + 2] + 1, dots[first + 3]);
        return delivered < 0 || sequence < 0 ? null : new AckReply(delivered, sequence);
    }

    /** The decimal number in {@code text[from, to)}, or -1 when it is empty, not digits, or too long. */
    private static long number(String text, int from, int to) {
        if (to <= from || to - from > 18) return -1;
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') return -1;
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
