package dev.asyncqueue.nats;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BodyScanTest {

    @Test
    void findsTheFirstQuoteOrBackslashWhereverItLiesInAWordOrTheTail() {
        Random random = new Random(11);
        byte[] alphabet = {'"', '\\', 'a', 'Z', '0', '+', '/', '=', (byte) 0x01, (byte) 0x80, (byte) 0xff, 0, '!', ']'};
        for (int round = 0; round < 20_000; round++) {
            byte[] data = new byte[random.nextInt(40)];
            // Mostly plain bytes, so a special one lands at every offset of a word and in the tail.
            for (int i = 0; i < data.length; i++) {
                data[i] = random.nextInt(8) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) ('A' + random.nextInt(26));
            }
            int from = data.length == 0 ? 0 : random.nextInt(data.length + 1);
            assertEquals(naive(data, from), BodyScan.quoteOrBackslash(data, from), () -> "round with " + new String(data));
        }
    }

    private static int naive(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == '"' || data[i] == '\\') return i;
        }
        return -1;
    }
}
