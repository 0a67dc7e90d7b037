package dev.asyncqueue;

/**
 * Proof that an invocation is durably stored in its queue.
 *
 * @param callId    the invocation's call id
 * @param queue     the queue that holds it
 * @param sequence  its sequence number in the queue's stream
 * @param duplicate true when the same call id was already stored within the de-duplication window,
 *                  so this enqueue stored nothing new
 */
public record EnqueueReceipt(String callId, String queue, long sequence, boolean duplicate) {
}
