package dev.asyncqueue.limiter;

import dev.asyncqueue.Outcome;

/** One thing that happens to a limiter in a generated scenario; each prints the way a person would say it. */
sealed interface LimiterEvent {

    /** The worker asks for {@code count} permits, one after the other. */
    record Acquire(int count) implements LimiterEvent {
        @Override
        public String toString() {
            return "acquire " + count;
        }
    }

    /** The call holding the {@code pick}-th held permit (modulo how many are held) ends with {@code outcome}. */
    record Release(int pick, Outcome outcome) implements LimiterEvent {
        @Override
        public String toString() {
            return "release #" + pick + " " + outcome;
        }
    }

    /**
     * The call holding the {@code pick}-th held permit ends as the simulated function decided when it
     * started: SUCCESS if it was within capacity then, REJECTED otherwise.
     */
    record Answer(int pick) implements LimiterEvent {
        @Override
        public String toString() {
            return "answer #" + pick;
        }
    }

    /** The clock moves on. */
    record Advance(int millis) implements LimiterEvent {
        @Override
        public String toString() {
            return "+" + millis + "ms";
        }
    }

    /** The simulated function's capacity changes (replicas added or removed). */
    record Capacity(int capacity) implements LimiterEvent {
        @Override
        public String toString() {
            return "capacity " + capacity;
        }
    }
}
