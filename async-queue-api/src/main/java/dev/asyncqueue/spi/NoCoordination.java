package dev.asyncqueue.spi;

import java.util.Collections;
import java.util.TreeMap;

/** {@link LimiterCoordination#none()}: a group of one, whose member hears from nobody. */
final class NoCoordination implements LimiterCoordination {
    static final NoCoordination INSTANCE = new NoCoordination();
    private static final View EMPTY = new View(0, Collections.unmodifiableSortedMap(new TreeMap<>()));

    private NoCoordination() {
    }

    @Override
    public Membership join(String function) {
        return new Membership() {
            @Override
            public String self() {
                return "self";
            }

            @Override
            public void publish(Report report) {
            }

            @Override
            public View view() {
                return EMPTY;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public String toString() {
        return "no limiter coordination";
    }
}
