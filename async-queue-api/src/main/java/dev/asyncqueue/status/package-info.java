/**
 * Where each call stands ({@link dev.asyncqueue.status.CallState}, {@link dev.asyncqueue.status.CallStatus})
 * and where that is kept ({@link dev.asyncqueue.status.StatusStore}, which also carries cancellations). The
 * {@link dev.asyncqueue.status.StatusRecorder} writes states as a worker reports them and as callers enqueue;
 * this package listens to {@link dev.asyncqueue.worker}, never the other way round.
 */
package dev.asyncqueue.status;
