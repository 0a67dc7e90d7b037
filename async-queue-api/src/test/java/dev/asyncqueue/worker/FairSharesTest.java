package dev.asyncqueue.worker;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FairSharesTest {

    @Test
    void freeSlotsAreSplitInEqualSharesRoundedUp() {
        FairShares round = new FairShares(10, 3);
        assertEquals(4, take(round, round.nextShare()));
        assertEquals(3, take(round, round.nextShare()));
        assertEquals(3, take(round, round.nextShare()));
        assertEquals(0, round.free());
    }

    @Test
    void whatASourceLeavesUnusedGoesToTheSourcesAfterIt() {
        FairShares round = new FairShares(10, 3);
        assertEquals(4, round.nextShare());
        take(round, 1);
        assertEquals(5, round.nextShare(), "9 left for 2 sources");
        take(round, 0);
        assertEquals(9, round.nextShare(), "the last source may take all that is left");
    }

    @Test
    void moreSourcesThanSlotsGiveTheFirstOnesOneEach() {
        FairShares round = new FairShares(2, 5);
        assertEquals(1, take(round, round.nextShare()));
        assertEquals(1, take(round, round.nextShare()));
        assertEquals(0, round.nextShare());
        assertEquals(0, round.free());
    }

    @Test
    void aRoundWithoutSourcesOffersNothingAndKeepsItsSlots() {
        FairShares round = new FairShares(3, 0);
        assertEquals(0, round.nextShare());
        assertEquals(3, round.free());
    }

    @Test
    void negativeCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FairShares(-1, 2));
        assertThrows(IllegalArgumentException.class, () -> new FairShares(2, -1));
    }

    /** Takes {@code n} slots, one delivery at a time, and returns {@code n}. */
    private static int take(FairShares round, int n) {
        for (int i = 0; i < n; i++) round.taken();
        return n;
    }
}
