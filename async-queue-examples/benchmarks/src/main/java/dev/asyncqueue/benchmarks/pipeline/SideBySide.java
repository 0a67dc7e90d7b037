package dev.asyncqueue.benchmarks.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the library and the raw floor of one throughput case against each other, after warming both up. */
final class SideBySide {
    private static final Logger log = LoggerFactory.getLogger(SideBySide.class);

    private final PipelineSetup setup;

    SideBySide(PipelineSetup setup) {
        this.setup = setup;
    }

    /** Warms both sides up, then runs {@code repeats} repetitions of each, the sides alternating. */
    ThroughputComparison compare(String name, int n, ThroughputSide library, ThroughputSide floor, double target)
            throws Exception {
        if (setup.warmup() > 0) {
            // One pass leaves part of the library's path to the JIT's later tiers, so each side repeats passes
            // for a while, as JMH warms up by time.
            log.info("{}: warm-up passes of {} for {} s a side", name, setup.warmup(), setup.warmupSeconds());
            warmUp(library);
            warmUp(floor);
        }
        List<Reading> lib = new ArrayList<>();
        List<Reading> raw = new ArrayList<>();
        for (int r = 0; r < setup.repeats(); r++) {
            // Alternate which side goes first, so drift on the machine (page cache, compaction) hits both alike.
            if (r % 2 == 0) {
                lib.add(library.run(n));
                raw.add(floor.run(n));
            } else {
                raw.add(floor.run(n));
                lib.add(library.run(n));
            }
            log.info("{} #{}: library {} /s, floor {} /s", name, r + 1, Math.round(lib.get(r).rate()),
                    Math.round(raw.get(r).rate()));
        }
        return new ThroughputComparison(name, lib.stream().map(Reading::rate).toList(),
                raw.stream().map(Reading::rate).toList(), target, lib.stream().map(Reading::jvmCpu).toList(),
                raw.stream().map(Reading::jvmCpu).toList(), lib.stream().map(Reading::natsCpu).toList(),
                raw.stream().map(Reading::natsCpu).toList());
    }

    private void warmUp(ThroughputSide side) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(setup.warmupSeconds());
        do {
            side.run(setup.warmup());
        } while (System.nanoTime() < until);
    }
}
