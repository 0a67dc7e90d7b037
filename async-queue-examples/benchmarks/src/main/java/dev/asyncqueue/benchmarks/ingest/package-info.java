/**
 * The ingest server comparison ({@code bin/benchmark ingest}): the JDK's HTTP server, which the example app's
 * ingest uses, against other HTTP servers running the same bare ingest (read the body, publish it to JetStream,
 * answer 202 on the ack) and a bare 202, with the app's real ingest in the same run, all loaded by {@code wrk}.
 */
package dev.asyncqueue.benchmarks.ingest;
