package dev.asyncqueue.worker;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InMemoryFreeReturnsTest {

    @Test
    void retriesAreTheDeliveriesBeforeThisOneLessTheFreeReturns() {
        InMemoryFreeReturns returns = new InMemoryFreeReturns(10);
        assertEquals(0, returns.retriesBefore("a", 1), "the first delivery follows no retry");
        assertEquals(2, returns.retriesBefore("a", 3));
        returns.record("a");
        returns.record("a");
        assertEquals(2, returns.count("a"));
        assertEquals(0, returns.retriesBefore("a", 3), "both earlier deliveries went back for free");
        assertEquals(1, returns.retriesBefore("a", 4));
        assertEquals(0, returns.retriesBefore("a", 1), "never negative, whatever another worker did");
    }

    @Test
    void aForgottenCallCountsEveryDeliveryAgain() {
        InMemoryFreeReturns returns = new InMemoryFreeReturns(10);
        returns.record("a");
        returns.forget("a");
        assertEquals(0, returns.count("a"));
        assertEquals(2, returns.retriesBefore("a", 3));
    }

    @Test
    void onlyTheMostRecentlyUsedCallsAreKept() {
        InMemoryFreeReturns returns = new InMemoryFreeReturns(2);
        returns.record("a");
        returns.record("b");
        returns.count("a"); // a is used again: b is now the eldest
        returns.record("c");
        assertEquals(2, returns.size());
        assertEquals(1, returns.count("a"));
        assertEquals(0, returns.count("b"), "the least recently used call was dropped");
        assertEquals(1, returns.count("c"));
    }
}
