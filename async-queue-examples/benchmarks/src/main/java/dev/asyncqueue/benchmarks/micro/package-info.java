/**
 * JMH micro-benchmarks ({@code bin/benchmark micro}) of the QueueRequest codec, beside the jnats parser and the
 * base64 decoder any reader of the payload runs, and of one permit's round trip on the limiters; writes
 * {@code MICROBENCHMARKS.md}. The codec is package-private in the nats module and is reached through
 * {@code dev.asyncqueue.nats.BenchmarkCodec}, which this module places in that package.
 */
package dev.asyncqueue.benchmarks.micro;
