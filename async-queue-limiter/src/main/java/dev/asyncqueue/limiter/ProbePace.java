package dev.asyncqueue.limiter;

/**
 * When a group member probes above the ceiling and by how much: successes held at the ceiling before the
 * next probe ({@code min} at first and after a probe that found capacity, doubling per probe that found
 * nothing, up to {@code max}), and the step a probe goes on by. Not thread-safe; {@link SharedLimit} owns it.
 */
final class ProbePace {
    private final int minCalls;
    private final int maxCalls;
    private int wait;
    private int held;
    private int step = 1;
    private boolean foundCapacity;

    ProbePace(int minCalls, int maxCalls) {
        this.minCalls = minCalls;
        this.maxCalls = maxCalls;
        this.wait = minCalls;
    }

    /** Counts {@code calls} successes held at the ceiling; true when a probe starts now, with a step of one. */
    boolean held(int calls) {
        held += calls;
        if (held < wait) return false;
        held = 0;
        foundCapacity = false;
        step = 1;
        return true;
    }

    /** Starts the count of held successes again: the limit moved. */
    void recount() {
        held = 0;
    }

    /** A probe call was accepted: the next probe comes soon again. */
    void found() {
        foundCapacity = true;
        wait = minCalls;
    }

    /** The step the probe goes on by after its top call was accepted: doubled, or back to one. */
    int nextStep(boolean doubled, int maxLimit) {
        step = doubled ? (int) Math.min(maxLimit, 2L * step) : 1;
        return step;
    }

    /** A probe was refused: the next waits as long again unless this one found capacity first. */
    void refused() {
        wait = foundCapacity ? minCalls : Math.min(maxCalls, wait * 2);
    }

    /** The probe is over, whatever it found. */
    void ended() {
        foundCapacity = false;
    }
}
