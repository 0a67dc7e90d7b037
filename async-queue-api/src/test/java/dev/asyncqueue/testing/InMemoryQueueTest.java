package dev.asyncqueue.testing;

import dev.asyncqueue.Delivery;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.WorkSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private static Invocation invocation(String callId) {
        return Invocation.builder("echo").callId(callId).build();
    }

    private static List<Delivery> take(WorkSource source, int max, Duration wait) throws InterruptedException {
        List<Delivery> taken = new ArrayList<>();
        int count = source.fetch(max, wait, taken::add);
        assertEquals(taken.size(), count, "fetch reports what it handed over");
        return taken;
    }

    @Test
    void aDeliverySettledTwiceFailsLoudlyAndIsRecorded() {
        InMemoryDelivery delivery = new InMemoryDelivery(invocation("c1"));
        delivery.ack();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> delivery.retryAfter(Duration.ZERO));
        assertTrue(e.getMessage().contains("settled twice"), e.getMessage());
        assertTrue(delivery.isAcked(), "the first settlement stands");
        assertEquals(1, delivery.extraSettlements().size());
    }

    @Test
    void aDeliveryRecordsKeepAlivesAndItsSettlement() throws InterruptedException {
        InMemoryDelivery delivery = new InMemoryDelivery(invocation("c1"), 3);
        delivery.keepAlive();
        delivery.keepAlive();
        delivery.reject("undecodable");
        assertEquals(2, delivery.keepAlives());
        assertEquals(3, delivery.attempt());
        assertEquals("undecodable", delivery.rejectReason().orElseThrow());
        assertEquals(InMemoryDelivery.Kind.REJECT, delivery.awaitSettlement(WAIT).kind());
    }

    @Test
    void fetchHandsOverAtMostWhatWasAskedAndCountsHeldDeliveries() throws InterruptedException {
        InMemoryQueue queue = InMemoryQueue.create();
        for (int i = 0; i < 5; i++) queue.enqueue(invocation("c" + i));
        queue.start();
        WorkSource source = queue.sources().get(0);
        assertTrue(source.function().isEmpty(), "one shared source");

        List<Delivery> first = take(source, 3, Duration.ZERO);
        assertEquals(3, first.size());
        assertEquals(3, queue.held());
        first.get(0).ack();
        ((InMemoryDelivery) first.get(1)).reject("bad");
        assertEquals(1, queue.held());
        List<Delivery> rest = take(source, 10, Duration.ZERO);
        assertEquals(2, rest.size());
        assertEquals(3, queue.held());
        assertEquals(3, queue.maxHeld());
        assertEquals(1, queue.acked().size());
        assertEquals("bad", queue.rejected().get(0).rejectReason().orElseThrow());
        assertEquals(List.of("c0", "c1", "c2", "c3", "c4"),
                queue.deliveries().stream().map(d -> d.invocation().callId()).toList(), "first in, first out");
    }

    @Test
    void retryAfterRedeliversWithTheNextAttemptOnceTheDelayPassed() throws InterruptedException {
        InMemoryQueue queue = InMemoryQueue.create().enqueue(invocation("c1"));
        queue.start();
        WorkSource source = queue.sources().get(0);
        Delivery first = take(source, 1, Duration.ZERO).get(0);

        long start = System.nanoTime();
        first.retryAfter(Duration.ofMillis(100));
        assertEquals(0, queue.held());
        assertEquals(1, queue.scheduled());
        assertEquals(1, queue.pending());
        assertTrue(take(source, 1, Duration.ZERO).isEmpty(), "not before the delay");

        Delivery second = take(source, 1, WAIT).get(0);
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(100).toNanos());
        assertEquals(2, second.attempt());
        assertEquals("c1", second.invocation().callId());
        second.retryAfter(Duration.ZERO);
        assertEquals(3, take(source, 1, Duration.ZERO).get(0).attempt(), "a zero delay is ready at once");
    }

    @Test
    void aDeliveryNeitherSettledNorKeptAliveWithinTheAckWaitIsRedelivered() throws InterruptedException {
        InMemoryQueue queue = InMemoryQueue.withAckWait(Duration.ofMillis(100)).enqueue(invocation("c1"));
        queue.start();
        WorkSource source = queue.sources().get(0);
        Delivery first = take(source, 1, Duration.ZERO).get(0);

        Delivery again = take(source, 1, WAIT).get(0);
        assertEquals(2, again.attempt());
        assertEquals(1, queue.redeliveries());
        first.ack();
        assertEquals(1, queue.lateSettlements().size(), "the late ack is ignored");
        assertTrue(queue.acked().isEmpty());
        again.ack();
        assertEquals(1, queue.acked().size());
        assertEquals(0, queue.pending());
    }

    @Test
    void keepAlivesHoldADeliveryPastTheAckWait() throws InterruptedException {
        InMemoryQueue queue = InMemoryQueue.withAckWait(Duration.ofMillis(150)).enqueue(invocation("c1"));
        queue.start();
        WorkSource source = queue.sources().get(0);
        Delivery delivery = take(source, 1, Duration.ZERO).get(0);
        long until = System.nanoTime() + Duration.ofMillis(500).toNanos();
        while (System.nanoTime() < until) {
            delivery.keepAlive();
            assertTrue(take(source, 1, Duration.ofMillis(30)).isEmpty(), "redelivered although kept alive");
        }
        delivery.ack();
        assertEquals(0, queue.redeliveries());
        assertEquals(1, queue.acked().size());
    }

    @Test
    void fetchingOutsideStartAndCloseIsMisuse() throws InterruptedException {
        InMemoryQueue queue = InMemoryQueue.create().enqueue(invocation("c1"));
        assertThrows(IllegalStateException.class, queue::sources);
        queue.start();
        WorkSource source = queue.sources().get(0);
        queue.close();
        assertThrows(IllegalStateException.class, () -> source.fetch(1, Duration.ZERO, d -> { }));
        assertEquals(2, queue.misuse().size());
        assertThrows(AssertionError.class, queue::assertNoMisuse);
        queue.start();
        assertEquals(1, take(queue.sources().get(0), 1, Duration.ZERO).size(), "queued work survives a close");
    }

    @Test
    void anInjectedFailureStrikesAfterTheGivenNumberOfDeliveries() throws InterruptedException {
        InMemoryQueue queue = InMemoryQueue.create();
        for (int i = 0; i < 3; i++) queue.enqueue(invocation("c" + i));
        queue.failNextFetch(1, new IllegalStateException("connection lost"));
        queue.start();
        List<Delivery> got = new ArrayList<>();
        assertThrows(IllegalStateException.class, () -> queue.sources().get(0).fetch(3, Duration.ZERO, got::add));
        assertEquals(1, got.size());
        assertEquals(2, take(queue.sources().get(0), 3, Duration.ZERO).size(), "only the next fetch fails");
        assertFalse(queue.misuse().iterator().hasNext());
    }
}
