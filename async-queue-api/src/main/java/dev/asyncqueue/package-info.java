/**
 * The contracts and values everything else is built on, with no NATS type and no dependency on the
 * api's own subpackages: an {@link dev.asyncqueue.Invocation} and its {@link dev.asyncqueue.InvocationResult},
 * the {@link dev.asyncqueue.AsyncQueue} callers enqueue into, the {@link dev.asyncqueue.ConsumerStrategy},
 * {@link dev.asyncqueue.WorkSource} and {@link dev.asyncqueue.Delivery} a worker drains through, the
 * {@link dev.asyncqueue.Invoker} that calls a function and the {@link dev.asyncqueue.ConcurrencyLimiter}
 * that paces it, plus small shared pieces (header names, thread names, an injectable clock).
 */
package dev.asyncqueue;
