/**
 * A local {@code nats-server} launcher: the example worker starts one when no NATS is configured, so
 * {@code bin/queue-worker} runs on a bare machine, and the examples' tests and the benchmarks start their
 * own on free ports. It is development tooling, not part of the library's API, which connects to a NATS
 * the embedder runs.
 */
package dev.asyncqueue.examples.localnats;
