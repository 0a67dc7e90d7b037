package dev.asyncqueue.nats;

import dev.asyncqueue.spi.LimiterCoordination;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link KvLimiterCoordination} against the class's real nats-server with JetStream. Each test uses a bucket of
 * its own.
 */
class KvLimiterCoordinationTest extends SharedNatsServerTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final LimiterCoordination.Report REPORT = new LimiterCoordination.Report(3, 10, 4, true,
            Duration.ofMillis(2), Duration.ofMillis(200));

    private final String bucket = "limiters-" + BUCKETS.incrementAndGet();

    private Connection connect() throws Exception {
        Connection c = Nats.connect(Options.builder().server(server.url()).connectionTimeout(Duration.ofSeconds(5)).build());
        toClose.add(c);
        return c;
    }

    private KvLimiterCoordination coordination(Connection connection, String member, FakeClock clock) {
        return coordination(connection, member, clock, Duration.ofSeconds(2));
    }

    private KvLimiterCoordination coordination(Connection connection, String member, FakeClock clock, Duration ttl) {
        KvLimiterCoordination c = KvLimiterCoordination.builder(connection).bucket(bucket).member(member)
                .heartbeat(Duration.ofMillis(200)).ttl(ttl).ticker(clock).build();
        toClose.add(c);
        return c;
    }


    /** A clock a test moves, for expiry; it starts at the system's. */
    private static final class FakeClock implements dev.asyncqueue.Ticker {
        private volatile long offset;

        @Override
        public long read() {
            return System.nanoTime() + offset;
        }

        void skip(Duration d) {
            offset += d.toNanos();
        }
    }

    @Test
    void aMembersReportReachesTheOtherMembersOfItsFunctionAndNoOtherFunction() throws Exception {
        Connection connection = connect();
        KvLimiterCoordination a = coordination(connection, "a", new FakeClock());
        KvLimiterCoordination b = coordination(connection, "b", new FakeClock());
        LimiterCoordination.Membership aSleep = a.join("sleep");
        LimiterCoordination.Membership bSleep = b.join("sleep");
        LimiterCoordination.Membership bOther = b.join("other/function");

        aSleep.publish(REPORT);

        awaitTrue("b sees a's report", DEADLINE, () -> REPORT.equals(bSleep.view().others().get("a")));
        assertEquals("b", bSleep.self());
        assertFalse(bSleep.view().others().containsKey("b"), "a member never sees itself");
        assertTrue(bOther.view().others().isEmpty(), "another function's group saw " + bOther.view());
    }

    @Test
    void aMemberThatJoinsLaterSeesTheMembersAlreadyThereOnceBuilt() throws Exception {
        Connection connection = connect();
        LimiterCoordination.Membership early = coordination(connection, "early", new FakeClock()).join("sleep");
        early.publish(REPORT);
        LimiterCoordination.Membership watcher = coordination(connection, "watcher", new FakeClock()).join("sleep");
        awaitTrue("the early member's report is in the bucket", DEADLINE, () -> REPORT.equals(watcher.view().others().get("early")));

        LimiterCoordination.Membership late = coordination(connection, "late", new FakeClock()).join("sleep");

        assertEquals(REPORT, late.view().others().get("early"), "loaded before build() returned");
    }

    @Test
    void aMembershipClosedLeavesTheOthersViewsAtOnce() throws Exception {
        Connection connection = connect();
        LimiterCoordination.Membership leaving = coordination(connection, "leaving", new FakeClock()).join("sleep");
        LimiterCoordination.Membership staying = coordination(connection, "staying", new FakeClock()).join("sleep");
        leaving.publish(REPORT);
        awaitTrue("the report arrives", DEADLINE, () -> staying.view().others().containsKey("leaving"));
        long version = staying.view().version();

        leaving.close();

        awaitTrue("the member is gone", DEADLINE, () -> staying.view().others().isEmpty());
        assertTrue(staying.view().version() > version, "the view's version moves with its members");
    }

    @Test
    void aReplicaThatLosesNatsStopsCountingLongBeforeTheTimeToLive() throws Exception {
        Connection lost = connect();
        LimiterCoordination.Membership gone = coordination(lost, "gone", new FakeClock(), Duration.ofSeconds(30)).join("sleep");
        LimiterCoordination.Membership survivor = coordination(connect(), "survivor", new FakeClock(), Duration.ofSeconds(30))
                .join("sleep");
        gone.publish(REPORT);
        awaitTrue("the report arrives", DEADLINE, () -> survivor.view().others().containsKey("gone"));
        long lostAt = System.nanoTime();

        lost.close(); // no goodbye: its key stays in the bucket, its heartbeats stop, its subscriptions go

        awaitTrue("dropped once found without a connection", DEADLINE,
                () -> survivor.view().others().isEmpty());
        assertTrue(System.nanoTime() - lostAt < Duration.ofSeconds(30).toNanos(), "well within the time to live");
    }

    @Test
    void aSilentMemberThatStillAnswersStaysCountedUntilTheTimeToLive() throws Exception {
        Connection connection = connect();
        FakeClock clock = new FakeClock();
        LimiterCoordination.Membership survivor = coordination(connection, "survivor", clock).join("sleep");
        // A member alive but stuck: it answers whoever asks, and sends no heartbeat.
        AtomicInteger asked = new AtomicInteger();
        connection.createDispatcher(m -> {
            asked.incrementAndGet();
            connection.publish(m.getReplyTo(), new byte[0]);
        }).subscribe("async-queue.limiters." + bucket + ".alive.stuck");
        connection.keyValue(bucket).put("sleep.stuck", ReportCodec.encode(REPORT));
        awaitTrue("the report arrives", DEADLINE, () -> survivor.view().others().containsKey("stuck"));

        awaitTrue("it is asked about", DEADLINE, () -> asked.get() > 0);
        clock.skip(Duration.ofMillis(1_500));
        int askedBefore = asked.get();
        awaitTrue("and asked again", DEADLINE, () -> asked.get() > askedBefore);
        assertTrue(survivor.view().others().containsKey("stuck"), "an answer keeps it counted within the time to live");
        clock.skip(Duration.ofMillis(600));

        assertTrue(survivor.view().others().isEmpty(), "counted after the time to live: " + survivor.view());
    }

    @Test
    void aMemberWithNoConnectionLeavesEveryFunctionsGroupOnceItsCallsHaveEnded() throws Exception {
        Connection connection = connect();
        FakeClock clock = new FakeClock();
        KvLimiterCoordination survivor = coordination(connection, "survivor", clock);
        LimiterCoordination.Membership sleep = survivor.join("sleep");
        LimiterCoordination.Membership other = survivor.join("other");
        // Reports of a member whose process is gone: nothing answers for it.
        connection.keyValue(bucket).put("sleep.ghost", ReportCodec.encode(REPORT));
        connection.keyValue(bucket).put("other.ghost", ReportCodec.encode(REPORT));
        awaitTrue("the reports arrive", DEADLINE, () -> sleep.view().others().containsKey("ghost")
                && other.view().others().containsKey("ghost"));

        awaitTrue("the ghost is dropped from both groups a round trip later", DEADLINE, () -> sleep.view().others().isEmpty()
                && other.view().others().isEmpty());
    }

    @Test
    void moreGoneMembersThanOneRoundAsksAboutAreAllFoundInTurn() throws Exception {
        Connection connection = connect();
        LimiterCoordination.Membership survivor = coordination(connection, "survivor", new FakeClock(), Duration.ofSeconds(30))
                .join("sleep");
        int ghosts = KvLimiterCoordination.ASKED_PER_ROUND + 4;
        for (int i = 0; i < ghosts; i++) {
            connection.keyValue(bucket).put("sleep.ghost-" + i, ReportCodec.encode(REPORT));
        }
        awaitTrue("the reports arrive", DEADLINE, () -> survivor.view().others().size() == ghosts);

        awaitTrue("every ghost is dropped, long before the time to live", DEADLINE, () -> survivor.view().others().isEmpty());
    }

    @Test
    void heartbeatsKeepALiveMemberCountedPastTheTimeToLive() throws Exception {
        Connection connection = connect();
        FakeClock clock = new FakeClock();
        LimiterCoordination.Membership alive = coordination(connection, "alive", new FakeClock()).join("sleep");
        LimiterCoordination.Membership other = coordination(connection, "other", clock).join("sleep");
        alive.publish(REPORT);
        awaitTrue("the report arrives", DEADLINE, () -> other.view().others().containsKey("alive"));

        clock.skip(Duration.ofSeconds(30));
        awaitTrue("a heartbeat after the skip renews it", DEADLINE, () -> other.view().others().containsKey("alive"));
    }

    @Test
    void reportsKeepEveryFieldThroughTheBucket() {
        LimiterCoordination.Report unknown = new LimiterCoordination.Report(0, 0, 0, false, Duration.ZERO, Duration.ZERO);
        assertEquals(REPORT, ReportCodec.decode(ReportCodec.encode(REPORT)));
        assertEquals(unknown, ReportCodec.decode(ReportCodec.encode(unknown)));
        assertEquals(null, ReportCodec.decode("{\"limit\":1}".getBytes()), "an incomplete report is not taken");
        assertEquals(null, ReportCodec.decode("not json".getBytes()));
    }
}
