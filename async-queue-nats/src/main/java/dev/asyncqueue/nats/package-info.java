/**
 * The queue on NATS JetStream: {@link dev.asyncqueue.nats.JetStreamQueue} keeps invocations in the work-queue
 * stream {@code OF_<queue>} as OpenFaaS {@code QueueRequest} JSON, on one subject per function
 * ({@link dev.asyncqueue.nats.Subjects}); the {@code static} and {@code function} consumer strategies
 * ({@link dev.asyncqueue.nats.StaticConsumerStrategy}, {@link dev.asyncqueue.nats.FunctionConsumerStrategy}) pull
 * it for the transport-neutral worker as deliveries backed by JetStream messages; dead letters
 * ({@link dev.asyncqueue.nats.DeadLetterQueue}) and call states ({@link dev.asyncqueue.nats.KvStatusStore}) live
 * in streams of their own; {@link dev.asyncqueue.nats.NatsConnections} opens connections from the module's
 * settings and {@link dev.asyncqueue.nats.NatsMetrics} binds its meters. The wire codec, the pull sessions and
 * the authentication plumbing are package-private.
 */
package dev.asyncqueue.nats;
