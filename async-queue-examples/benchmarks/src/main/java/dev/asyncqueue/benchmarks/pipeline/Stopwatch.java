package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.benchmarks.Bench;

import java.time.Duration;

/** Times a section of {@code n} messages: wall time, and the CPU time of this JVM and of the nats-server. */
final class Stopwatch {
    private final int n;
    private final long wall = System.nanoTime();
    private final Duration cpu = Bench.processCpu();
    private final Duration nats = Bench.natsServerCpu();

    /** Starts timing now. */
    Stopwatch(int n) {
        this.n = n;
    }

    /** Milliseconds since the start. */
    long elapsedMillis() {
        return (System.nanoTime() - wall) / 1_000_000;
    }

    /** The section's rate and CPU per message, up to now. */
    Reading stop() {
        double seconds = (System.nanoTime() - wall) / 1e9;
        return new Reading(n / seconds, Bench.processCpu().minus(cpu).toNanos() / 1e3 / n,
                Bench.natsServerCpu().minus(nats).toNanos() / 1e3 / n);
    }
}
