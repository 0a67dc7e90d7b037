package dev.asyncqueue.benchmarks.ingest;

/**
 * One timed {@code wrk} run against one ingest.
 *
 * @param calls     calls answered
 * @param wallNanos wall time of the run
 * @param jvmNanos  CPU time of this JVM (where every ingest runs) during the run
 * @param natsNanos CPU time of the nats-server during the run
 * @param wrkNanos  CPU time of {@code wrk}
 */
record LoadRun(long calls, long wallNanos, long jvmNanos, long natsNanos, long wrkNanos) {

    /** Calls per second. */
    double rate() {
        return calls / (wallNanos / 1e9);
    }

    /** The ingest JVM's CPU per call, microseconds. */
    double jvmMicros() {
        return jvmNanos / 1e3 / calls;
    }

    /** The nats-server's CPU per call, microseconds. */
    double natsMicros() {
        return natsNanos / 1e3 / calls;
    }

    /** {@code wrk}'s CPU per call, microseconds. */
    double wrkMicros() {
        return wrkNanos / 1e3 / calls;
    }
}
