package dev.asyncqueue.benchmarks.ingest;

import java.net.URI;

/**
 * One ingest the load runs against.
 *
 * @param name      its label in the report: the server, with {@code -202} when it publishes nothing
 * @param server    the server technology ({@code jdk}, {@code jetty}, {@code netty}; {@code app} for the example app)
 * @param publishes whether a call is published to JetStream before it is answered
 * @param url       where {@code wrk} posts
 * @param stream    the stream its calls land in, purged after each run; empty when it publishes nothing
 */
record IngestSide(String name, String server, boolean publishes, URI url, String stream) {
}
