/**
 * The transport-neutral queue-worker engine. {@link dev.asyncqueue.worker.QueueWorker} is the front door
 * (builder, start, close); behind it, package-private rooms: the dispatcher pulls in fair shares, takes
 * limiter permits and lets a failing source sit out its wait alone, the call runner takes one delivery
 * from invocation to settlement (within the invocation deadline) and sends its callback, the settlement
 * rules decide retry, free return, ack or dead letter, and the calls in flight hold the slots and are
 * kept alive. Observers plug in as a {@link dev.asyncqueue.worker.WorkerListener}, guarded so that one
 * that throws changes nothing; cancellations arrive through {@link dev.asyncqueue.worker.Cancellations};
 * free returns are counted in a {@link dev.asyncqueue.worker.FreeReturns} store.
 */
package dev.asyncqueue.worker;
