package dev.asyncqueue.status;

import dev.asyncqueue.worker.Cancellations;

import java.util.Optional;

/** Keeps the state of calls for a while, and carries cancellation requests to the workers. */
public interface StatusStore extends Cancellations {

    /** Records a state; must not block on I/O (writes may be asynchronous, in order per store). */
    void update(CallStatus status);

    /** The last recorded state of a call, empty when unknown or expired. */
    Optional<CallStatus> get(String callId);

    /** Asks every worker to cancel the call; it is not invoked if still queued, abandoned if running. */
    void requestCancel(String callId);
}
