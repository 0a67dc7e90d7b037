package dev.asyncqueue.limiter;

import dev.asyncqueue.spi.LimiterCoordination;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Paces a function as one member of the group of replicas pacing it: {@link SharedLimit} decides, fed
 * with the group as the membership last heard of it, and what it would tell the others is published
 * whenever it changes. Not thread-safe: the limiter serialises every call.
 */
final class GroupPacer implements Pacer {
    private static final Logger log = LoggerFactory.getLogger(GroupPacer.class);

    private final SharedLimit algorithm;
    private final LimiterCoordination.Membership membership;
    private Group group = Group.ALONE;
    private long seenVersion = Long.MIN_VALUE;
    private LimiterCoordination.Report published;

    GroupPacer(SharedLimit algorithm, LimiterCoordination.Membership membership) {
        this.algorithm = algorithm;
        this.membership = membership;
        // Announce at once, so that the others count this member before its first call.
        publishIfChanged();
    }

    @Override
    public Release tryAcquire(long now) {
        SharedLimit.Grant grant = algorithm.tryAcquire(now, group());
        publishIfChanged();
        if (grant == null) {
            return null;
        }
        return (outcome, at) -> {
            algorithm.release(grant, outcome, at, group());
            publishIfChanged();
        };
    }

    /** The group as last heard of; rebuilt only when the membership's view has changed. */
    private Group group() {
        LimiterCoordination.View view = membership.view();
        if (view.version() != seenVersion) {
            group = Group.of(membership.self(), view);
            seenVersion = view.version();
        }
        return group;
    }

    private void publishIfChanged() {
        LimiterCoordination.Report report = algorithm.report();
        if (!worthSending(report, published)) {
            return;
        }
        published = report;
        try {
            membership.publish(report);
        } catch (RuntimeException e) {
            // The others then go on with this member's previous report until it expires; pacing goes on.
            log.debug("could not publish the limiter's report {}: {}", report, e.toString());
        }
    }

    /**
     * Whether {@code report} says something new: any change but in the measured latencies, which move a
     * little with every call and only need to be roughly right, so they count when they move by a quarter.
     */
    static boolean worthSending(LimiterCoordination.Report report, LimiterCoordination.Report last) {
        return last == null || report.limit() != last.limit() || report.ceiling() != last.ceiling()
                || report.stamp() != last.stamp() || report.cut() != last.cut()
                || moved(report.refusalLatency(), last.refusalLatency()) || moved(report.roundTrip(), last.roundTrip());
    }

    private static boolean moved(Duration now, Duration before) {
        long a = now.toNanos();
        long b = before.toNanos();
        return (a == 0) != (b == 0) || a > b + b / 4 || b > a + a / 4;
    }

    @Override
    public int limit() {
        return algorithm.limit();
    }

    @Override
    public int inFlight() {
        return algorithm.inFlight();
    }

    @Override
    public int ceiling() {
        return algorithm.ceiling();
    }

    @Override
    public void close() {
        membership.close();
    }

    @Override
    public String toString() {
        return algorithm.toString();
    }
}
