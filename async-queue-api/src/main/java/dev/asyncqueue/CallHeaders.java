package dev.asyncqueue;

/** The HTTP header names an invocation and its callback carry, as the OpenFaaS gateway and queue-worker spell them. */
public final class CallHeaders {
    /** The call's unique id, set by the ingest when the caller sent none; the de-duplication key. */
    public static final String CALL_ID = "X-Call-Id";
    /** When the ingest accepted the call, in Unix nanoseconds (UTC). */
    public static final String START_TIME = "X-Start-Time";
    /** Where the result is posted, as the caller sent it. */
    public static final String CALLBACK_URL = "X-Callback-Url";
    /** On a callback: the function that was called. */
    public static final String FUNCTION_NAME = "X-Function-Name";
    /** On a callback: the function's status, 503 when the call failed in transport. */
    public static final String FUNCTION_STATUS = "X-Function-Status";
    /** On a callback: how long the last attempt took, in decimal seconds. */
    public static final String DURATION_SECONDS = "X-Duration-Seconds";
    /** On a callback: retries made so far. */
    public static final String RETRY = "X-Retry";
    /** On a callback: the most retries allowed; equal to {@link #RETRY} on the last try. */
    public static final String RETRY_MAX = "X-Retry-Max";
    /** On a cancelled call's callback: {@code cancelled}. */
    public static final String CALL_STATUS = "X-Call-Status";
    /**
     * On a signed callback: {@code v1=} and the HMAC of the call id, {@link #CALLBACK_TIMESTAMP},
     * {@link #FUNCTION_STATUS} and the body (see {@link dev.asyncqueue.callback.CallbackSigner}).
     */
    public static final String CALLBACK_SIGNATURE = "X-Callback-Signature";
    /** On a signed callback: when it was signed, in Unix seconds; receivers refuse one too far from their clock. */
    public static final String CALLBACK_TIMESTAMP = "X-Callback-Timestamp";

    private CallHeaders() {
    }
}
