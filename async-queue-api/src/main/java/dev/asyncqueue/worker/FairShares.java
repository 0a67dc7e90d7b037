package dev.asyncqueue.worker;

/**
 * One dispatch round's split of free slots among the sources with work: each source in turn is offered
 * an equal share of what is still free among the sources not yet served, so what one leaves unused goes
 * to the next. The strategy rotates the order of sources, so no source is always first.
 */
final class FairShares {
    private int free;
    private int sourcesLeft;

    /** A round over {@code sources} sources with {@code free} slots to hand out. */
    FairShares(int free, int sources) {
        if (free < 0 || sources < 0) throw new IllegalArgumentException("free and sources must not be negative");
        this.free = free;
        this.sourcesLeft = sources;
    }

    /** The most the next source may take: what is free divided among the sources left, rounded up. */
    int nextShare() {
        if (sourcesLeft == 0) return 0;
        int share = (free + sourcesLeft - 1) / sourcesLeft;
        sourcesLeft--;
        return share;
    }

    /** A delivery took one slot: it holds it from here on. */
    void taken() {
        free--;
    }

    /** Slots no delivery has taken yet; what is left at the end of the round goes back. */
    int free() {
        return free;
    }
}
