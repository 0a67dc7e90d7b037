package dev.asyncqueue.limiter;

import dev.asyncqueue.spi.LimiterCoordination;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
        if (report.equals(published)) {
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
