/**
 * The runnable queue-worker ({@link dev.asyncqueue.examples.QueueWorkerApp}, {@code bin/queue-worker}): an
 * HTTP ingest endpoint that stores OpenFaaS-style asynchronous invocations in a JetStream queue, and a worker
 * that calls the functions, in one process or split by {@code role}. {@link dev.asyncqueue.examples.AppConfig}
 * is the one place its settings are read; the app wires the library's parts from the typed values it gives,
 * and keeps what operators need (metrics, health, call status) in {@code ops}.
 */
package dev.asyncqueue.examples;
