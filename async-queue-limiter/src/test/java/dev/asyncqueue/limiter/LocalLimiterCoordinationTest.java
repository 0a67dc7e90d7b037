package dev.asyncqueue.limiter;

import dev.asyncqueue.spi.LimiterCoordination;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replicas meeting on one board: delayed visibility, heartbeats, time to live, leaving. */
class LocalLimiterCoordinationTest {
    private static final LimiterCoordination.Report REPORT = new LimiterCoordination.Report(2, 8, 3, true,
            Duration.ofMillis(2), Duration.ofMillis(200));

    private final FakeTicker ticker = new FakeTicker();
    private final LocalLimiterCoordination.Board board = LocalLimiterCoordination.board(ticker, Duration.ofSeconds(3),
            Duration.ofMillis(10));

    @Test
    void aReportReachesTheOtherMembersOfTheSameFunctionAfterTheDelay() {
        LimiterCoordination.Membership a = board.replica("a").join("sleep");
        LimiterCoordination.Membership b = board.replica("b").join("sleep");
        LimiterCoordination.Membership other = board.replica("c").join("other");

        a.publish(REPORT);
        assertTrue(b.view().others().isEmpty(), "not before the delay");
        ticker.advance(Duration.ofMillis(10));

        assertEquals(Map.of("a", REPORT), b.view().others());
        assertTrue(a.view().others().isEmpty(), "a member never sees itself");
        assertTrue(other.view().others().isEmpty(), "nor the members of another function");
        assertEquals("b", b.self());
    }

    @Test
    void aMemberWithoutHeartbeatIsDroppedAfterTheTimeToLiveAndOneWithHeartbeatsIsNot() {
        LocalLimiterCoordination aliveReplica = board.replica("alive");
        aliveReplica.join("sleep").publish(REPORT);
        board.replica("dead").join("sleep").publish(REPORT);
        LimiterCoordination.Membership watcher = board.replica("watcher").join("sleep");
        for (int second = 0; second < 3; second++) {
            ticker.advance(Duration.ofSeconds(1));
            aliveReplica.heartbeat();
        }
        ticker.advance(Duration.ofMillis(10));

        assertEquals(Map.of("alive", REPORT), watcher.view().others());
    }

    @Test
    void aClosedMembershipLeavesAfterTheDelayAndTheViewsVersionMoves() {
        LimiterCoordination.Membership leaving = board.replica("a").join("sleep");
        LimiterCoordination.Membership staying = board.replica("b").join("sleep");
        leaving.publish(REPORT);
        ticker.advance(Duration.ofMillis(10));
        LimiterCoordination.View before = staying.view();
        assertEquals(before.version(), staying.view().version(), "no change, no new version");

        leaving.close();
        ticker.advance(Duration.ofMillis(10));

        LimiterCoordination.View after = staying.view();
        assertTrue(after.others().isEmpty());
        assertNotEquals(before.version(), after.version());
    }

    @Test
    void aReplicaThatJoinsAFunctionAgainStaysWhenItsEarlierMembershipCloses() {
        LocalLimiterCoordination replica = board.replica("a");
        LimiterCoordination.Membership replaced = replica.join("sleep");
        LimiterCoordination.Membership current = replica.join("sleep");
        LimiterCoordination.Membership other = board.replica("b").join("sleep");
        current.publish(REPORT);

        replaced.close();
        ticker.advance(Duration.ofMillis(10));

        assertEquals(Map.of("a", REPORT), other.view().others(), "a replaced limiter leaving does not take its successor along");
    }

    @Test
    void theLatestReportVisibleIsTheOneSeen() {
        LimiterCoordination.Membership a = board.replica("a").join("sleep");
        LimiterCoordination.Membership b = board.replica("b").join("sleep");
        LimiterCoordination.Report later = new LimiterCoordination.Report(5, 8, 4, false, Duration.ZERO, Duration.ZERO);
        a.publish(REPORT);
        ticker.advance(Duration.ofMillis(5));
        a.publish(later);
        ticker.advance(Duration.ofMillis(5));
        assertEquals(REPORT, b.view().others().get("a"), "the later one is still on its way");
        ticker.advance(Duration.ofMillis(5));
        assertEquals(later, b.view().others().get("a"));
    }

    @Test
    void aBoardNeedsAPositiveTimeToLive() {
        assertThrows(IllegalArgumentException.class, () -> LocalLimiterCoordination.board(ticker, Duration.ZERO, Duration.ZERO));
    }
}
