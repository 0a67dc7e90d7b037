package dev.asyncqueue.limiter;

import dev.asyncqueue.spi.LimiterCoordination;

/**
 * One group member's word on the function's capacity for the whole group: the ceiling, the stamp that orders
 * the members' words (the highest wins; between equal stamps the lower ceiling), whether the last word came
 * from a 429, and the lowest concurrency a 429 has met, which bounds what a late success may still prove.
 * Not thread-safe; {@link SharedLimit} serialises its use.
 */
final class CeilingWord {
    /** The ceiling before the first 429 anywhere in the group. */
    static final int UNKNOWN = Integer.MAX_VALUE;

    private int value = UNKNOWN;
    /** The lowest global concurrency minus one at which a 429 came back, until a later success proves more. */
    private int refusedAbove = UNKNOWN;
    private long stamp;
    private boolean cut;

    int value() {
        return value;
    }

    boolean known() {
        return value != UNKNOWN;
    }

    int refusedAbove() {
        return refusedAbove;
    }

    long stamp() {
        return stamp;
    }

    boolean cut() {
        return cut;
    }

    /** Whether another member's {@code word} takes precedence over this one. */
    boolean outdatedBy(LimiterCoordination.Report word) {
        return word.stamp() > stamp || word.stamp() == stamp && word.ceiling() < value;
    }

    /** Takes another member's word's stamp and kind; its ceiling is weighed by {@link #bound} or {@link #take}. */
    void hear(LimiterCoordination.Report word) {
        stamp = word.stamp();
        cut = word.cut();
    }

    /** A 429's ceiling heard from another member: an upper bound, as this member's own is, and the lower stands. */
    void bound(int ceiling) {
        value = Math.min(value, ceiling);
        refusedAbove = Math.min(refusedAbove, value);
    }

    /** A raised ceiling heard from another member. */
    void take(int ceiling) {
        value = ceiling;
        if (refusedAbove != UNKNOWN && value > refusedAbove) refusedAbove = UNKNOWN;
    }

    /** This member's own word that the function held {@code ceiling}, stamped above {@code latest}. */
    void raise(int ceiling, LimiterCoordination.Report latest) {
        take(ceiling);
        stamp = nextStamp(latest);
        cut = false;
    }

    /** This member's own word that a 429 met the global concurrency {@code evidence} plus one. */
    void lower(int evidence, LimiterCoordination.Report latest) {
        refusedAbove = Math.min(refusedAbove, evidence);
        value = Math.min(value, evidence);
        stamp = nextStamp(latest);
        cut = true;
    }

    private long nextStamp(LimiterCoordination.Report latest) {
        return Math.max(stamp, latest == null ? 0 : latest.stamp()) + 1;
    }
}
