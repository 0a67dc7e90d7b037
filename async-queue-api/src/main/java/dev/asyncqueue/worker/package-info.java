/**
 * The transport-neutral queue-worker engine. {@link dev.asyncqueue.worker.QueueWorker} is the front door
 * (builder, start, close); behind it, package-private rooms: the dispatcher pulls in fair shares and takes
 * limiter permits, the call runner takes one delivery from invocation to settlement and sends its
 * callback, the settlement rules decide retry, free return, ack or dead letter, and the calls in flight
 * hold the slots and are kept alive. Observers plug in as a {@link dev.asyncqueue.worker.WorkerListener};
 * cancellations arrive through {@link dev.asyncqueue.worker.Cancellations}.
 */
package dev.asyncqueue.worker;
