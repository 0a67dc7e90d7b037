package dev.asyncqueue.status;

import java.util.Locale;

/** Where one call stands, as {@code GET /async-function/status/{call-id}} reports it. */
public enum CallState {
    /** Stored in the queue, not picked up yet. */
    QUEUED,
    /** A worker is calling the function. */
    RUNNING,
    /** An attempt failed; the call waits in the queue for its next attempt. */
    RETRYING,
    /** The function answered 2xx. */
    SUCCEEDED,
    /** The last attempt failed and no retry follows. */
    FAILED,
    /** Cancelled by {@code DELETE /async-function/{call-id}}. */
    CANCELLED;

    /** The lower-case name used in JSON and keys. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True once nothing more will happen to the call. */
    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** The state named by {@link #wireName()}. */
    public static CallState fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
