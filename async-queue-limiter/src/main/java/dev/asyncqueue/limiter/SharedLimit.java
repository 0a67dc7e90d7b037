package dev.asyncqueue.limiter;

import dev.asyncqueue.Outcome;
import dev.asyncqueue.spi.LimiterCoordination;

import java.time.Duration;

/**
 * The adaptive algorithm for one member of a group of replicas pacing the same function: a pure state
 * machine fed with grants, releases, timestamps and the {@link Group} as last seen. The rules and why
 * each is there are in {@code docs/LIMITER-MULTI.md}; in short:
 *
 * <p>The members agree on one <em>ceiling</em>, the function's capacity for all of them together, and
 * each keeps its limit at its share of it ({@link Group#share}). A call's <em>global concurrency</em> is
 * the member's own plus the others' effective limits when it was granted. A 429 lowers the ceiling to
 * the global concurrency it met minus one, a probe call that holds raises it, and either word goes out
 * with a higher stamp ({@link CeilingWord}); every member adopts the highest (between equal stamps the
 * lower ceiling), so a 429 anywhere cuts every member as one limiter would be cut.
 *
 * <p>Only the first member by rank grows before the first 429 and probes, its successes standing for
 * the group's. A probe sends one call above the ceiling at a time, judged accepted once it has outlived
 * the group's 429 round trip; the prober keeps what it finds until the probe ends, and the others grow
 * into their shares only through room nobody runs or is owed; after a failed probe they take that room
 * as it frees up rather than only on their own successes. Members start at the minimum. Alone, the
 * rules are {@link AdaptiveLimit}'s but for starting at the minimum, probing a call at a time, and
 * taking a 429 during a probe as the probe failing, never as the capacity shrinking, after which it
 * goes back to one call below the ceiling rather than to the margin below it.
 *
 * <p>Not thread-safe; the caller serialises the events.
 */
final class SharedLimit {

    /** The ceiling before the first 429 anywhere in the group. */
    static final int UNKNOWN = CeilingWord.UNKNOWN;
    /** How long a member cut to nothing waits before trying again while no call has succeeded anywhere. */
    static final long UNKNOWN_ROUND_TRIP = Duration.ofSeconds(1).toNanos();

    /**
     * What is remembered about one granted call.
     *
     * @param epoch        the cut count when granted (see {@link AdaptiveLimit.Grant#epoch()})
     * @param concurrency  this member's calls in flight when granted, this one included
     * @param global       {@code concurrency} plus the others' effective limits when granted
     * @param limitAtGrant this member's limit when granted
     * @param groupAbove   whether the group's limits were above the ceiling when granted: a probe was on
     * @param grantedAt    ticker reading when granted
     */
    record Grant(long epoch, int concurrency, int global, int limitAtGrant, boolean groupAbove, long grantedAt) {
    }

    private final int minLimit;
    private final int maxLimit;
    private final int marginPercent;

    private Group group = Group.ALONE;
    private int limit;
    private int inFlight;
    private final CeilingWord agreed = new CeilingWord();
    private long epoch;
    private double credit;
    private final ProbePace pace;
    /** The probe call not yet known to be accepted, if any. */
    private Grant probeCall;
    private final CallTimes times = new CallTimes();
    /** When a 429 last left this member at no limit at all. */
    private long droppedAt;
    /** When this member last met a 429 itself. */
    private long refusedAt = Long.MIN_VALUE / 2;
    /**
     * One below the ceiling after a failed probe, until the next cut or change of members; else 0. A member
     * below its share of it takes room as the prober's calls end, without waiting for its own successes.
     */
    private int settleTotal;

    /** The same constants as {@link AdaptiveLimit}'s, which checks them. */
    SharedLimit(int minLimit, int maxLimit, int marginPercent, int probeMinCalls, int probeMaxCalls) {
        this.limit = minLimit;
        this.minLimit = minLimit;
        this.maxLimit = maxLimit;
        this.marginPercent = marginPercent;
        this.pace = new ProbePace(probeMinCalls, probeMaxCalls);
    }

    /** A grant when a call may start now, {@code null} when the limit is reached. */
    Grant tryAcquire(long now, Group seen) {
        see(seen, now);
        if (inFlight >= limit) {
            return null;
        }
        inFlight++;
        int others = group.othersLimit();
        Grant grant = new Grant(epoch, inFlight, inFlight + others, limit,
                agreed.known() && (long) limit + others > ceiling(), now);
        if (probeCall == null && probing() && grant.global() > ceiling()) {
            probeCall = grant;
        }
        return grant;
    }

    /** Takes back a grant and learns from its outcome; the caller guarantees each grant comes back once. */
    void release(Grant grant, Outcome outcome, long now, Group seen) {
        if (inFlight <= 0) {
            throw new IllegalStateException("release without a matching grant");
        }
        boolean wasProbeCall = grant == probeCall;
        if (wasProbeCall) probeCall = null; // judged by its own outcome, not by the time it took
        see(seen, now);
        inFlight--;
        switch (outcome) {
            case SUCCESS -> onSuccess(grant, now, wasProbeCall);
            case REJECTED -> onRejected(grant, now);
            case FAILED, IGNORED -> {
            }
        }
    }

    /** Catches up with the group: its members, their word on the ceiling, and a probe call's fate. */
    private void see(Group seen, long now) {
        if (seen != group) {
            int shareBefore = localCeiling();
            boolean moved = seen.size() != group.size() || seen.rank() != group.rank();
            group = seen;
            LimiterCoordination.Report word = seen.latest();
            if (word != null && agreed.outdatedBy(word)) {
                adopt(word, shareBefore);
            } else if (moved && agreed.known()) {
                giveBackAbove(localCeiling());
            }
            // A member that left ran fewer calls than it reported while its last ones drained, so a probe
            // then could look accepted and a ceiling found then be too high to jump to.
            if (moved) settleTotal = 0;
        }
        if (!agreed.known()) return;
        if (limit == 0 && localCeiling() > 0 && group.room(ceiling(), 0) >= 1 && aRoundTripSince(droppedAt, now)
                && !group.anyIdleBefore(ceiling())) {
            // A member cut to nothing has no calls whose successes could raise it again: it comes back
            // when the group leaves it room, a round trip after the 429 that left it there (time for a
            // call to end at the function), and one member at a time in rank order, so that members
            // refused together do not all come back into the same room.
            limit = 1;
        }
        int settleShare = group.share(Math.min(ceiling(), settleTotal));
        if (limit > 0 && limit < settleShare && aRoundTripSince(refusedAt, now)) {
            // The prober of a failed probe hands its room over as its calls end. A member at a small limit
            // has few successes to grow on, and would leave the function short meanwhile (several tenths
            // of a second at a limit of 1), so it takes the room as soon as it sees it; but not within a
            // round trip of its own 429, which showed the function full.
            int room = group.room(ceiling(), limit);
            if (room > 0) {
                limit = Math.min(settleShare, limit + room);
                credit = 0;
            }
        }
        if (probing() && (long) limit + group.othersLimit() <= ceiling()) {
            // The others have grown into what this member probed: nothing of it is above the ceiling now.
            giveBackAbove(localCeiling());
        }
        confirmProbeCall(now);
    }

    /** Whether a successful call's round trip (this member's measure, else the group's) has passed since {@code then}. */
    private boolean aRoundTripSince(long then, long now) {
        long roundTrip = times.roundTrip(group);
        return now - then >= (roundTrip < 0 ? UNKNOWN_ROUND_TRIP : roundTrip);
    }

    private void adopt(LimiterCoordination.Report word, int shareBefore) {
        boolean firstWord = !agreed.known();
        boolean wasProbing = !firstWord && limit > shareBefore;
        agreed.hear(word);
        if (word.cut()) {
            // A 429's word is an upper bound on the capacity, and so is this member's: the lower stands.
            // Published under the same stamp, the lower is also what the others adopt. A word that lowers
            // nothing is a failed probe's.
            boolean probeFailed = !firstWord && word.ceiling() >= ceiling();
            if (wasProbing && !probeFailed) {
                // This member's probe had the group above the ceiling: the call refused was most likely
                // another member's, sent before it heard of the probe, so its word underrates what the
                // function held. The probe failed; the ceiling stands, said again under a higher stamp.
                cut(true, true, true);
                agreed.raise(ceiling(), group.latest());
                return;
            }
            agreed.bound(word.ceiling());
            cut(wasProbing, true, probeFailed);
        } else {
            agreed.take(word.ceiling());
            giveBackAbove(localCeiling());
        }
        if (firstWord) {
            // A member joining a group that knows the ceiling starts within the room the others leave.
            limit = Math.min(limit, group.room(ceiling(), 0));
        }
    }

    /** Lowers a limit above this member's share to it: a probe ends, or the group has more members now. */
    private void giveBackAbove(int share) {
        if (limit > share) {
            limit = share;
            probeCall = null;
            newEpoch();
        }
    }

    private void onSuccess(Grant grant, long now, boolean probeCall) {
        times.success(grant.grantedAt(), now);
        int global = grant.global();
        if (probeCall && grant.epoch() == epoch && probing()) {
            confirm(grant, true);
            return;
        }
        if (grant.epoch() != epoch) {
            // As in AdaptiveLimit: a call sent before the latest cut still shows what the function held,
            // unless a 429 at or below its concurrency says the capacity has shrunk since.
            if (agreed.known() && global > ceiling() && global <= agreed.refusedAbove()) {
                agreed.raise(global, group.latest());
                limit = Math.max(limit, cutTarget());
            }
            return;
        }
        // As in AdaptiveLimit: only a call started while at least half the limit was in use shows that
        // the limit mattered.
        if (2L * grant.concurrency() < Math.max(grant.limitAtGrant(), limit)) {
            return;
        }
        if (!agreed.known()) {
            // One member grows for the group, so the group grows like one limiter and its first 429
            // meets the others at steady limits.
            if (group.rank() == 0) limit = (int) Math.min(maxLimit, limit + 1L);
            return;
        }
        int share = localCeiling();
        if (limit < share) {
            recover(share);
        } else if (limit == share) {
            hold();
        } else if (global > ceiling()) {
            confirm(grant, true);
        }
    }

    private void recover(int share) {
        double gap = share - limit;
        credit += Math.max(1.0, gap) / Math.max(1, limit);
        int whole = (int) credit;
        if (whole > 0) {
            credit -= whole;
            // Never into room another member runs or a lower-ranked member is owed.
            limit = Math.min(share, limit + Math.min(whole, group.room(ceiling(), limit)));
        }
        if (limit >= share) {
            credit = 0;
            pace.recount();
        }
    }

    private void hold() {
        if (limit >= maxLimit || group.rank() != 0) {
            return;
        }
        if (group.othersShort(ceiling()) > 0) {
            return; // the others first grow into their shares: only then is the group at its ceiling
        }
        // This member's successes stand for the whole group's: the others run the rest of the ceiling.
        if (pace.held(Math.max(1, ceiling() / Math.max(1, limit)))) {
            limit = limit + 1;
        }
    }

    private void confirmProbeCall(long now) {
        if (probeCall == null) return;
        if (probeCall.epoch() != epoch || !probing()) {
            probeCall = null;
            return;
        }
        long window = times.probeWindow(group, ceiling());
        if (window >= 0 && now - probeCall.grantedAt() >= window) { // unmeasured: its success confirms it
            Grant accepted = probeCall;
            probeCall = null;
            confirm(accepted, false);
        }
    }

    /**
     * A probe call was accepted: the function holds its global concurrency. If it was the probe's top
     * call, the probe goes on: one call further while 429s come back fast, so that the next call is
     * judged as fast; twice the last step when 429s are as slow as calls, as AdaptiveLimit probes, so
     * that slow 429s do not make the probe slow.
     */
    private void confirm(Grant accepted, boolean bySuccess) {
        if (accepted.global() <= ceiling()) {
            return;
        }
        agreed.raise(accepted.global(), group.latest());
        pace.found();
        if (accepted.concurrency() >= accepted.limitAtGrant()) {
            int probeStep = pace.nextStep(bySuccess && times.refusalsSlow(group), maxLimit);
            // The prober keeps what it found until the probe ends, so that the others do not take the
            // same room; they grow into their new shares when it gives it back.
            limit = (int) Math.min(maxLimit, Math.max(limit, (long) ceiling() + probeStep - group.othersLimit()));
        }
    }

    private void onRejected(Grant grant, long now) {
        times.refusal(grant.grantedAt(), now);
        refusedAt = now;
        // The others may have run up to their effective limits at any moment of the call's short life:
        // when it was granted, or now, if one has grown since (or, at the start, not been seen yet).
        int others = Math.max(grant.global() - grant.concurrency(), group.othersLimit());
        int evidence = (int) Math.max(minLimit, Math.min(UNKNOWN - 1L, (long) grant.concurrency() + others - 1));
        if (grant.groupAbove() && agreed.known()) {
            // Sent while the group was probing: whichever call the function refused, the probe failed.
            // Calls granted together can reach the function in any order, so its concurrency proves no
            // shrinking.
            evidence = Math.max(evidence, ceiling());
        }
        boolean wasProbing = probing();
        boolean probeFailed = agreed.known() && evidence >= ceiling();
        agreed.lower(evidence, group.latest());
        boolean sameEpoch = grant.epoch() == epoch;
        cut(wasProbing, sameEpoch, probeFailed);
        if (sameEpoch && group.size() > 1) {
            // The 429 made no room at the function: its slot is not refilled at once, or this member
            // would be refused again and again until someone's call ends.
            limit = Math.min(limit, inFlight);
            if (limit == 0) droppedAt = now;
        }
    }

    /**
     * Everyone's reaction to a 429, this member's or another's: as AdaptiveLimit cuts, at this member's share.
     * A failed probe goes back only to one call below the ceiling: the ceiling is what the function just held,
     * and a margin below it would leave a function that scales on load (as OpenFaaS' autoscaler does) too
     * little load to grow. The one call spares a ceiling one too high (a probe call judged accepted by its
     * time when its pull was slow) a 429 and a cut to the margin.
     */
    private void cut(boolean wasProbing, boolean sameEpoch, boolean probeFailed) {
        probeCall = null;
        int belowTheCeiling = Math.max(minLimit, ceiling() - 1);
        settleTotal = probeFailed ? belowTheCeiling : 0;
        int target = probeFailed ? Math.max(Math.min(1, localCeiling()), group.share(belowTheCeiling)) : cutTarget();
        if (limit <= target) {
            if (sameEpoch) newEpoch();
            return;
        }
        if (wasProbing) pace.refused();
        limit = target;
        newEpoch();
        pace.ended();
    }

    /** Calls granted from now on are judged against the new limit; credit and held calls start again. */
    private void newEpoch() {
        epoch++;
        credit = 0;
        pace.recount();
    }

    /** This member's share of the margin below the ceiling, and at least one call if it has any share. */
    private int cutTarget() {
        return Math.max(Math.min(1, localCeiling()), group.share(belowCeiling()));
    }

    /** The margin below the ceiling, for the whole group. */
    private int belowCeiling() {
        return Math.max(minLimit, (int) ((long) ceiling() * (100 - marginPercent) / 100));
    }

    private int localCeiling() {
        return agreed.known() ? group.share(ceiling()) : UNKNOWN;
    }

    private boolean probing() {
        return agreed.known() && limit > localCeiling();
    }

    /** What this member tells the others now. */
    LimiterCoordination.Report report() {
        return new LimiterCoordination.Report(Math.max(limit, inFlight), agreed.known() ? ceiling() : 0,
                agreed.stamp(), agreed.cut(), times.refusal(), times.success());
    }

    int limit() {
        return limit;
    }

    int inFlight() {
        return inFlight;
    }

    /** The group's estimated capacity: {@link #UNKNOWN} before any 429. */
    int ceiling() {
        return agreed.value();
    }

    @Override
    public String toString() {
        return "limit=" + limit + ", inFlight=" + inFlight
                + ", ceiling=" + (!agreed.known() ? "unknown" : ceiling() + " for the group")
                + (probing() ? ", probing" : "") + ", " + group + times;
    }
}
