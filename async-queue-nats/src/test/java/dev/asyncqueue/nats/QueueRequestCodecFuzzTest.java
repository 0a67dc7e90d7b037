package dev.asyncqueue.nats;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The decoder's contract under arbitrary input: an invocation or a {@link MalformedMessageException}, never anything else. */
class QueueRequestCodecFuzzTest {

    @Test
    void everyCatalogueSampleIsRefusedWithAReason() {
        for (MalformedInput.Sample sample : MalformedInput.catalogue()) {
            MalformedMessageException e = assertThrows(MalformedMessageException.class,
                    () -> QueueRequestCodec.decode(sample.payload(), "q", "fallback"), sample.kind());
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), sample.kind() + " has a reason");
        }
    }

    @Test
    void twentyThousandGeneratedMessagesNeverThrowAnythingButMalformedMessageException() {
        Random random = new Random(20261126L); // fixed seed: a failure is reproducible
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            MalformedInput.Sample sample = MalformedInput.mutate(random, "call-" + i);
            try {
                QueueRequestCodec.decode(sample.payload(), "q", "fallback");
            } catch (MalformedMessageException expected) {
                refused++;
            } catch (Throwable t) {
                fail("sample " + i + " (" + sample.kind() + ") escaped the decoder with " + t, t);
            }
        }
        assertTrue(refused > 15_000, "the generator mostly makes malformed messages: " + refused);
    }

    @Test
    void aMessageNestedThousandsOfLevelsIsRefusedNotAStackOverflow() {
        byte[] deep = ("{\"Function\":\"echo\",\"Method\":\"POST\",\"Header\":" + "[".repeat(200_000))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> QueueRequestCodec.decode(deep, "q", "id"));
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
    }

    @Test
    void aHeaderMapOverTheLimitIsRefusedAndOneAtTheLimitIsAccepted() throws Exception {
        assertThrows(MalformedMessageException.class,
                () -> QueueRequestCodec.decode(MalformedInput.hugeHeaderMap(QueueRequestCodec.MAX_HEADER_VALUES + 1), "q", "id"));
        QueueRequestCodec.decode(MalformedInput.hugeHeaderMap(QueueRequestCodec.MAX_HEADER_VALUES), "q", "id");
    }
}
