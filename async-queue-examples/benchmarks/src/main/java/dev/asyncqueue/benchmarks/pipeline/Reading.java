package dev.asyncqueue.benchmarks.pipeline;

/**
 * What one timed section of a throughput case measured.
 *
 * @param rate     messages per second
 * @param jvmCpu   this JVM's CPU microseconds per message
 * @param natsCpu  the nats-server's CPU microseconds per message
 */
record Reading(double rate, double jvmCpu, double natsCpu) {
}
