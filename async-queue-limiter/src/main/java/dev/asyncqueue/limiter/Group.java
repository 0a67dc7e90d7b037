package dev.asyncqueue.limiter;

import dev.asyncqueue.spi.LimiterCoordination;

import java.util.Map;

/**
 * The replicas pacing one function, as one of them last saw them: how many, its rank among them, what
 * the others run, and the latest word on the function's capacity. Immutable.
 *
 * <p>Shares split a group-wide number by rank: member {@code r} of {@code n} gets {@code floor(x / n)},
 * plus one if {@code r < x mod n}, so the shares of {@code x} add up to exactly {@code x} and every member
 * computes everyone's share the same way.
 */
final class Group {

    /** A group of one, before anyone else is heard of. */
    static final Group ALONE = new Group(1, 0, new int[0], new int[0], null, -1, -1);

    private final int size;
    private final int rank;
    /** The others' effective limits, and the rank of each, in rank order. */
    private final int[] otherLimits;
    private final int[] otherRanks;
    private final int othersLimit;
    private final LimiterCoordination.Report latest;
    private final long refusalNanos;
    private final long roundTripNanos;

    private Group(int size, int rank, int[] otherLimits, int[] otherRanks,
                  LimiterCoordination.Report latest, long refusalNanos, long roundTripNanos) {
        this.size = size;
        this.rank = rank;
        this.otherLimits = otherLimits;
        this.otherRanks = otherRanks;
        int sum = 0;
        for (int limit : otherLimits) sum += limit;
        this.othersLimit = sum;
        this.latest = latest;
        this.refusalNanos = refusalNanos;
        this.roundTripNanos = roundTripNanos;
    }

    /** The group as {@code self} sees it in {@code view}. */
    static Group of(String self, LimiterCoordination.View view) {
        Map<String, LimiterCoordination.Report> others = view.others();
        int[] limits = new int[others.size()];
        int[] ranks = new int[others.size()];
        int rank = 0;
        int i = 0;
        LimiterCoordination.Report latest = null;
        long refusal = -1;
        long roundTrip = -1;
        for (Map.Entry<String, LimiterCoordination.Report> e : others.entrySet()) {
            if (e.getKey().equals(self)) continue;
            boolean before = e.getKey().compareTo(self) < 0;
            if (before) rank++;
            LimiterCoordination.Report r = e.getValue();
            limits[i] = r.limit();
            ranks[i] = before ? i : i + 1;
            i++;
            if (r.ceiling() > 0 && (latest == null || newer(r, latest))) latest = r;
            if (!r.refusalLatency().isZero()) refusal = Math.max(refusal, r.refusalLatency().toNanos());
            if (!r.roundTrip().isZero()) roundTrip = Math.max(roundTrip, r.roundTrip().toNanos());
        }
        if (i < limits.length) {
            limits = java.util.Arrays.copyOf(limits, i);
            ranks = java.util.Arrays.copyOf(ranks, i);
        }
        return new Group(i + 1, rank, limits, ranks, latest, refusal, roundTrip);
    }

    /**
     * Whether report {@code a} says more recent things than {@code b}: the higher stamp, and between equal
     * stamps the lower ceiling, so that two members cutting at once agree on the more careful cut.
     */
    static boolean newer(LimiterCoordination.Report a, LimiterCoordination.Report b) {
        return a.stamp() != b.stamp() ? a.stamp() > b.stamp() : a.ceiling() < b.ceiling();
    }

    /** Member {@code rank}'s share of {@code total} among {@code size} members. */
    static int share(int total, int size, int rank) {
        return total / size + (rank < total % size ? 1 : 0);
    }

    /** This member's share of {@code total}. */
    int share(int total) {
        return share(total, size, rank);
    }

    /**
     * How many more calls this member may start at {@code limit} without the group running more than
     * {@code ceiling}: what the others leave free, less what members ranked before this one are still
     * short of their own shares, so that two members never both take the same room.
     */
    int room(int ceiling, int limit) {
        long room = (long) ceiling - othersLimit - limit;
        for (int i = 0; i < otherLimits.length && otherRanks[i] < rank; i++) {
            room -= Math.max(0, share(ceiling, size, otherRanks[i]) - otherLimits[i]);
        }
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, room));
    }

    /** Whether a member ranked before this one runs nothing though it has a share of {@code ceiling}. */
    boolean anyIdleBefore(int ceiling) {
        for (int i = 0; i < otherLimits.length && otherRanks[i] < rank; i++) {
            if (otherLimits[i] == 0 && share(ceiling, size, otherRanks[i]) > 0) return true;
        }
        return false;
    }

    /** How far the other members are below their shares of {@code ceiling}, together. */
    int othersShort(int ceiling) {
        int shortBy = 0;
        for (int i = 0; i < otherLimits.length; i++) {
            shortBy += Math.max(0, share(ceiling, size, otherRanks[i]) - otherLimits[i]);
        }
        return shortBy;
    }

    /** Members, this one included. */
    int size() {
        return size;
    }

    /** This member's rank: how many members have a lower id. */
    int rank() {
        return rank;
    }

    /** What the other members may run together: the sum of their effective limits. */
    int othersLimit() {
        return othersLimit;
    }

    /** The other members' latest report that knows the ceiling, or null. */
    LimiterCoordination.Report latest() {
        return latest;
    }

    /** The longest 429 round trip another member measured; negative while none did. */
    long refusalNanos() {
        return refusalNanos;
    }

    /** The longest successful round trip another member measured; negative while none did. */
    long roundTripNanos() {
        return roundTripNanos;
    }

    @Override
    public String toString() {
        return size == 1 ? "alone" : "member " + (rank + 1) + " of " + size + ", others' limits " + othersLimit;
    }
}
