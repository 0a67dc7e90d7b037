package dev.asyncqueue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a function answered, or why it could not be reached.
 *
 * @param status         HTTP status; 503 when the call failed in transport
 * @param headers        response headers
 * @param body           response body
 * @param duration       time from sending the call to the answer or the failure
 * @param transportError why the call failed before an answer arrived, empty when it was answered
 */
public record InvocationResult(int status, Map<String, List<String>> headers, byte[] body, Duration duration,
                               Optional<String> transportError) {

    /** The status reported for a call that never got an answer, as the OpenFaaS worker does. */
    public static final int TRANSPORT_FAILURE_STATUS = 503;

    /** Copies the headers; a null body is empty. */
    public InvocationResult {
        headers = Map.copyOf(headers);
        body = body == null ? new byte[0] : body;
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(transportError, "transportError");
    }

    /** A function's answer. */
    public static InvocationResult answered(int status, Map<String, List<String>> headers, byte[] body,
                                            Duration duration) {
        return new InvocationResult(status, headers, body, duration, Optional.empty());
    }

    /** A call that failed before the function answered (connection refused, timeout, ...). */
    public static InvocationResult transportFailure(String reason, Duration duration) {
        return new InvocationResult(TRANSPORT_FAILURE_STATUS, Map.of(), new byte[0], duration, Optional.of(reason));
    }

    /** The status a callback reports for a cancelled call (as nginx's "client closed request"). */
    public static final int CANCELLED_STATUS = 499;

    /** What a cancelled call's callback carries: status 499 and {@code X-Call-Status: cancelled}. */
    public static InvocationResult cancelled(Duration duration) {
        return answered(CANCELLED_STATUS, Map.of(CallHeaders.CALL_STATUS, List.of("cancelled")), new byte[0], duration);
    }

    /** True for 2xx answers. */
    public boolean isSuccess() {
        return transportError.isEmpty() && status >= 200 && status < 300;
    }

    /** True when the function never answered. */
    public boolean isTransportFailure() {
        return transportError.isPresent();
    }

    @Override
    public String toString() {
        return "InvocationResult[status=" + status + ", duration=" + duration + ", body=" + body.length + " bytes"
                + transportError.map(e -> ", error=" + e).orElse("") + "]";
    }
}
