package dev.asyncqueue.status;

import java.time.Instant;
import java.util.Objects;

/**
 * The last known state of one call.
 *
 * @param callId     the call id ({@code X-Call-Id})
 * @param function   the function called
 * @param queue      the queue it went through
 * @param state      where it stands
 * @param attempt    attempts started so far (0 while queued)
 * @param lastStatus the last HTTP status the function answered, 0 when none yet
 * @param updated    when this state was recorded
 * @param detail     a short human-readable note (e.g. "retry in PT2S"); never a secret
 */
public record CallStatus(String callId, String function, String queue, CallState state, int attempt, int lastStatus,
                         Instant updated, String detail) {
    /** Requires every field but the detail, which defaults to empty. */
    public CallStatus {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(updated, "updated");
        detail = detail == null ? "" : detail;
    }
}
