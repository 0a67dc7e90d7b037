package dev.asyncqueue.limiter;

import dev.asyncqueue.Outcome;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

import java.util.ArrayList;
import java.util.List;

import static org.quicktheories.api.Pair.of;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/** A limiter's configuration and a sequence of events to put it through. */
record Scenario(LimiterConfig config, List<LimiterEvent> events) {

    /** Repeated events are counted ({@code acquire 1 x45}) so a shrunk counter-example stays readable. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < events.size(); ) {
            int j = i;
            while (j < events.size() && events.get(j).equals(events.get(i))) j++;
            parts.add(events.get(i) + (j - i > 1 ? " x" + (j - i) : ""));
            i = j;
        }
        return config + " then " + events.size() + " events: " + String.join(", ", parts);
    }

    /** Scenarios with small limits, so generated sequences reach the limit, 429s and probes often. */
    static Gen<Scenario> scenarios() {
        return configs().zip(eventSequences(), Scenario::new);
    }

    static Gen<LimiterConfig> configs() {
        Gen<Integer> min = integers().between(1, 4);
        Gen<Integer> span = integers().between(0, 40);
        Gen<Integer> initialOffset = integers().between(0, 40);
        Gen<Integer> margin = integers().between(0, 50);
        Gen<Integer> probeMin = integers().between(1, 8);
        Gen<Integer> probeExtra = integers().between(0, 30);
        return min.zip(span, initialOffset, (lo, s, off) -> new int[] {lo, lo + s, lo + off % (s + 1)})
                .zip(margin, probeMin, probeExtra, (b, m, pMin, pExtra) ->
                        new LimiterConfig(b[2], b[0], b[1], m, pMin, pMin + pExtra));
    }

    static Gen<List<LimiterEvent>> eventSequences() {
        Gen<LimiterEvent> acquire = integers().between(1, 12).map(n -> new LimiterEvent.Acquire(n));
        Gen<LimiterEvent> release = integers().between(0, 63)
                .zip(Generate.enumValues(Outcome.class), (pick, outcome) -> new LimiterEvent.Release(pick, outcome));
        Gen<LimiterEvent> answer = integers().between(0, 63).map(pick -> new LimiterEvent.Answer(pick));
        Gen<LimiterEvent> advance = integers().between(1, 3_000).map(ms -> new LimiterEvent.Advance(ms));
        Gen<LimiterEvent> capacity = integers().between(0, 30).map(c -> new LimiterEvent.Capacity(c));
        Gen<LimiterEvent> event = Generate.frequency(
                of(3, acquire), of(2, release), of(6, answer), of(1, advance), of(1, capacity));
        return lists().of(event).ofSizeBetween(0, 300);
    }
}
