/**
 * The operator's command line for queues ({@code bin/queue-tool}): inspect queues and consumers, purge or reset
 * a stream, and list, replay or purge dead letters, finding NATS as the worker does.
 */
package dev.asyncqueue.examples.tools;
