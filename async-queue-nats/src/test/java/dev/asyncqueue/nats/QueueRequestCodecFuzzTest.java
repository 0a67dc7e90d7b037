package dev.asyncqueue.nats;

import dev.asyncqueue.Invocation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The decoder's contract under arbitrary input: an invocation or a {@link MalformedMessageException}, never anything else. */
class QueueRequestCodecFuzzTest {

    @Test
    void everyCatalogueSampleIsRefusedWithAReason() {
        for (MalformedInput.Sample sample : MalformedInput.catalogue()) {
            MalformedMessageException e = assertThrows(MalformedMessageException.class,
                    () -> QueueRequestReader.decode(sample.payload(), "q", "fallback"), sample.kind());
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
                QueueRequestReader.decode(sample.payload(), "q", "fallback");
            } catch (MalformedMessageException expected) {
                refused++;
            } catch (Throwable t) {
                fail("sample " + i + " (" + sample.kind() + ") escaped the decoder with " + t, t);
            }
        }
        assertTrue(refused > 15_000, "the generator mostly makes malformed messages: " + refused);
    }

    @Test
    void everyInvocationWeEncodeDecodesToItselfWhateverItsBodyAndHeadersHold() throws Exception {
        Random random = new Random(7L);
        // Quotes, backslashes and keys named like fields: the body is lifted out of the JSON by position.
        String[] tricky = {"\"Body\":\"", "\\", "\"", "Body", "{[", "]}", "\u00e9\u2713", "\n\t"};
        for (int i = 0; i < 2_000; i++) {
            byte[] body = new byte[random.nextInt(3) == 0 ? 0 : random.nextInt(2_048)];
            random.nextBytes(body);
            String value = tricky[random.nextInt(tricky.length)] + i + tricky[random.nextInt(tricky.length)];
            Invocation invocation = Invocation.builder("fn-" + i).callId("call-" + i).body(body)
                    .headers(Map.of("Body", List.of(value), "X-" + i, List.of(value, "2")))
                    .annotations(Map.of("Body", value)).query("q=" + value).build();
            Invocation decoded = QueueRequestReader.decode(QueueRequestWriter.encode(invocation), Invocation.DEFAULT_QUEUE, "unused");
            assertArrayEquals(body, decoded.body(), "body of invocation " + i);
            assertEquals(invocation.headers().get("Body"), decoded.headers().get("Body"), "header of invocation " + i);
            assertEquals(invocation.headers().get("X-" + i), decoded.headers().get("X-" + i), "header of invocation " + i);
            assertEquals(invocation.annotations(), decoded.annotations(), "annotations of invocation " + i);
            assertEquals(invocation.query(), decoded.query(), "query of invocation " + i);
            assertEquals(invocation.function(), decoded.function());
        }
    }

    @Test
    void aMessageNestedThousandsOfLevelsIsRefusedNotAStackOverflow() {
        byte[] deep = ("{\"Function\":\"echo\",\"Method\":\"POST\",\"Header\":" + "[".repeat(200_000))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        MalformedMessageException e = assertThrows(MalformedMessageException.class, () -> QueueRequestReader.decode(deep, "q", "id"));
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
    }

    @Test
    void aHeaderMapOverTheLimitIsRefusedAndOneAtTheLimitIsAccepted() throws Exception {
        assertThrows(MalformedMessageException.class,
                () -> QueueRequestReader.decode(MalformedInput.hugeHeaderMap(QueueRequestReader.MAX_HEADER_VALUES + 1), "q", "id"));
        QueueRequestReader.decode(MalformedInput.hugeHeaderMap(QueueRequestReader.MAX_HEADER_VALUES), "q", "id");
    }
}
