package dev.asyncqueue.nats;

import java.time.Instant;

/**
 * One message kept in a queue's dead-letter stream.
 *
 * @param sequence   its sequence in the dead-letter stream (what replay and purge act on)
 * @param callId     the call id, or empty when the message could not be decoded and carried none
 * @param function   the function, or empty when unknown (malformed message on the legacy subject)
 * @param reason     {@code retries_exhausted} or {@code malformed}
 * @param lastStatus the last status the function answered (0 for a malformed message)
 * @param attempts   attempts made
 * @param detail     more about the reason (e.g. what was malformed); never a secret
 * @param subject    the work-queue subject it came from, where a replay puts it back
 * @param time       when it was dead-lettered
 * @param payload    the original message body, unchanged
 */
public record DeadLetter(long sequence, String callId, String function, String reason, int lastStatus, int attempts,
                         String detail, String subject, Instant time, byte[] payload) {
    @Override
    public String toString() {
        return "DeadLetter[seq=" + sequence + ", call=" + callId + ", function=" + function + ", reason=" + reason
                + ", lastStatus=" + lastStatus + ", attempts=" + attempts + ", " + payload.length + " bytes]";
    }
}
