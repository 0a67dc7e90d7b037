package dev.asyncqueue.worker;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.testing.InMemoryDelivery;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InFlightTest {
    private static final Duration NO_WAIT = Duration.ofMillis(1);

    private final AtomicLong now = new AtomicLong();
    private final InFlight inFlight = new InFlight(2, now::get);
    private final InMemoryDelivery delivery = new InMemoryDelivery(Invocation.builder("fn").build());

    @Test
    void aCallIsKeptAliveOncePerIntervalAsTheInjectedClockTellsTime() {
        inFlight.add(new Call(delivery, null, now.get()));
        Duration interval = Duration.ofNanos(10);

        now.set(9);
        inFlight.keepAlive(interval);
        assertEquals(0, delivery.keepAlives(), "not due yet");
        now.set(10);
        inFlight.keepAlive(interval);
        assertEquals(1, delivery.keepAlives());
        now.set(19);
        inFlight.keepAlive(interval);
        assertEquals(1, delivery.keepAlives(), "the interval counts from the last keep-alive");
        now.set(20);
        inFlight.keepAlive(interval);
        assertEquals(2, delivery.keepAlives());
    }

    @Test
    void theFreeSlotsAreTakenAtOnceAndARemovedCallFreesItsOwn() throws InterruptedException {
        assertEquals(2, inFlight.takeFree(NO_WAIT));
        assertEquals(0, inFlight.takeFree(NO_WAIT), "no slot is free");
        Call call = new Call(delivery, null, now.get());
        inFlight.add(call);
        assertEquals(1, inFlight.size());

        assertTrue(inFlight.remove(call));
        assertFalse(inFlight.remove(call), "a call is removed once");
        inFlight.freeSlot();
        assertEquals(1, inFlight.takeFree(NO_WAIT));
        inFlight.giveBack(1);
        assertEquals(1, inFlight.takeFree(NO_WAIT));
    }

    @Test
    void aCallIsOverdueOnceItsFunctionWasCalledTheLimitAgoAndNobodySettledItYet() {
        Call running = new Call(delivery, null, now.get());
        running.markInvoked();
        Call notInvoked = new Call(new InMemoryDelivery(Invocation.builder("fn").build()), null, now.get());
        inFlight.add(running);
        inFlight.add(notInvoked);
        Duration limit = Duration.ofNanos(100);

        now.set(99);
        assertEquals(List.of(), inFlight.overdue(limit), "not yet");
        now.set(100);
        assertEquals(List.of(running), inFlight.overdue(limit), "a call never invoked has no deadline");
        running.claimSettlement();
        assertEquals(List.of(), inFlight.overdue(limit), "a call someone settles is theirs");
    }

    @Test
    void waitingForTheCallsToEndStopsAtADeadlineOfTheInjectedClock() {
        AtomicLong jumping = new AtomicLong();
        InFlight held = new InFlight(1, () -> jumping.getAndAdd(Duration.ofHours(2).toNanos()));
        held.add(new Call(delivery, null, 0));
        // An hour by the system clock; the injected clock passes it on its next reading.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> held.awaitEmpty(Duration.ofHours(1)));
        assertEquals(1, held.size(), "the call is still held: the wait ended by the deadline");
    }
}
