package dev.asyncqueue.limiter;

import dev.asyncqueue.spi.LimiterCoordination;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

/** How one member sees its group: shares, rank, room, and whose word on the ceiling is the latest. */
class GroupTest {

    private static LimiterCoordination.Report report(int limit, int ceiling, long stamp) {
        return new LimiterCoordination.Report(limit, ceiling, stamp, false, Duration.ZERO, Duration.ZERO);
    }

    private static Group seenBy(String self, Object... idsAndReports) {
        TreeMap<String, LimiterCoordination.Report> others = new TreeMap<>();
        for (int i = 0; i < idsAndReports.length; i += 2) {
            others.put((String) idsAndReports[i], (LimiterCoordination.Report) idsAndReports[i + 1]);
        }
        return Group.of(self, new LimiterCoordination.View(1, others));
    }

    @Test
    void theSharesOfAnyTotalAddUpToExactlyThatTotal() {
        qt().forAll(integers().between(0, 10_000), integers().between(1, 64)).checkAssert((total, size) -> {
            int sum = 0;
            for (int rank = 0; rank < size; rank++) sum += Group.share(total, size, rank);
            assertEquals((int) total, sum);
        });
    }

    @Test
    void sharesDifferByAtMostOneAndTheLowerRanksGetTheRemainder() {
        assertEquals(4, Group.share(10, 3, 0));
        assertEquals(3, Group.share(10, 3, 1));
        assertEquals(3, Group.share(10, 3, 2));
        assertEquals(1, Group.share(2, 5, 1));
        assertEquals(0, Group.share(2, 5, 2), "fewer calls than members: the last ranks get none");
    }

    @Test
    void aMembersRankIsHowManyMembersHaveALowerId() {
        Group g = seenBy("b", "a", report(1, 0, 0), "c", report(1, 0, 0), "d", report(1, 0, 0));
        assertEquals(4, g.size());
        assertEquals(1, g.rank());
        assertEquals(3, g.othersLimit());
        assertEquals(0, seenBy("a").rank());
        assertEquals(1, seenBy("a").size());
    }

    @Test
    void roomIsWhatTheOthersLeaveLessWhatLowerRankedMembersAreShortOf() {
        // Ceiling 12 among three: shares 4, 4, 4. "a" runs 2 (short of 2), "c" runs 5.
        Group b = seenBy("b", "a", report(2, 12, 1), "c", report(5, 12, 1));
        assertEquals(12 - 7 - 1 - 2, b.room(12, 1), "b may not take the 2 that a, ranked first, is owed");
        Group c = seenBy("c", "a", report(2, 12, 1), "b", report(1, 12, 1));
        assertEquals(0, c.room(12, 5), "c is above its share: no room, and never negative");
        assertEquals(2 + 3, c.othersShort(12), "a is 2 short of 4, b 3 short of 4");
    }

    @Test
    void theLatestWordIsTheHighestStampAndBetweenEqualStampsTheLowerCeiling() {
        LimiterCoordination.Report old = report(1, 30, 4);
        LimiterCoordination.Report newer = report(1, 40, 5);
        LimiterCoordination.Report sameStampLower = report(1, 35, 5);
        LimiterCoordination.Report noCeiling = report(1, 0, 9);
        assertSame(sameStampLower, seenBy("x", "a", old, "b", newer, "c", sameStampLower, "d", noCeiling).latest(),
                "a report without a ceiling is no word on it");
        assertNull(seenBy("x", "a", noCeiling).latest());
    }
}
