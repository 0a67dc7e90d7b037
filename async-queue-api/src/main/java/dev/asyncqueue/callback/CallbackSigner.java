package dev.asyncqueue.callback;

import dev.asyncqueue.CallHeaders;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Signs callbacks with HMAC-SHA256 and a shared secret, and verifies them as a receiver written in Java
 * would, after the Standard Webhooks scheme: the signature covers the call id, a timestamp and the body,
 * and a receiver refuses a timestamp further than a tolerance from its clock, so a captured callback
 * cannot be replayed later. It also covers the function's status, which a receiver acts on.
 *
 * <p>The signed content is {@code callId "\n" timestamp "\n" status "\n" body}: the values of
 * {@link CallHeaders#CALL_ID}, {@link CallHeaders#CALLBACK_TIMESTAMP} (Unix seconds) and
 * {@link CallHeaders#FUNCTION_STATUS} exactly as sent, then the body's bytes. Newlines separate them
 * because no header value can contain one, while a call id may contain any other character, the dot
 * included. The result is sent as {@link CallHeaders#CALLBACK_SIGNATURE}{@code : v1=<hex>}. The secret
 * never leaves this object, not even in {@link #toString()}.
 */
public final class CallbackSigner {
    /** How far a callback's timestamp may be from the receiver's clock, either way, unless configured. */
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

    private static final String ALGORITHM = "HmacSHA256";
    private static final String VERSION = "v1=";

    private final SecretKeySpec key;
    private final Duration tolerance;
    private final Clock clock;

    /** A signer with the given secret (at least 16 bytes long), the system clock and the default tolerance. */
    public CallbackSigner(byte[] secret) {
        this(secret, DEFAULT_TOLERANCE, Clock.systemUTC());
    }

    /**
     * A signer with the given secret (at least 16 bytes long) whose {@link #verify} accepts timestamps at
     * most {@code tolerance} from {@code clock}, and whose {@link #timestamp()} reads {@code clock}.
     */
    public CallbackSigner(byte[] secret, Duration tolerance, Clock clock) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < 16) throw new IllegalArgumentException("the signing secret must be at least 16 bytes long");
        Objects.requireNonNull(tolerance, "tolerance");
        if (tolerance.isNegative() || tolerance.isZero()) throw new IllegalArgumentException("tolerance must be positive");
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
        this.tolerance = tolerance;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Now, in Unix seconds: the {@link CallHeaders#CALLBACK_TIMESTAMP} of a callback signed now. */
    public long timestamp() {
        return clock.instant().getEpochSecond();
    }

    /**
     * The {@link CallHeaders#CALLBACK_SIGNATURE} value of a callback: {@code v1=} and the lower-case hex
     * HMAC of the call id, the timestamp, the function's status and the body.
     *
     * @throws IllegalArgumentException when the call id holds a line break, which no header can carry
     */
    public String sign(String callId, long timestamp, int status, byte[] body) {
        if (callId.indexOf('\n') >= 0 || callId.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("a call id with a line break cannot be sent in a header");
        }
        return VERSION + HexFormat.of().formatHex(mac(callId, Long.toString(timestamp), Integer.toString(status), body));
    }

    /**
     * Whether a callback is authentic and fresh, from its header values as received: the signature
     * header holds a {@code v1=} signature of these values (several, separated by spaces, are allowed),
     * compared in constant time, and the timestamp is at most the tolerance away from the clock. Any
     * value missing or malformed fails.
     */
    public boolean verify(String callId, String timestamp, String status, byte[] body, String signature) {
        if (callId == null || timestamp == null || status == null || body == null || signature == null) return false;
        if (!isDigits(timestamp, 18) || !isDigits(status, 3)) return false;
        long age = timestamp() - Long.parseLong(timestamp);
        if (Math.abs(age) > tolerance.toSeconds()) return false;
        byte[] expected = (VERSION + HexFormat.of().formatHex(mac(callId, timestamp, status, body)))
                .getBytes(StandardCharsets.US_ASCII);
        boolean matched = false;
        for (String candidate : signature.trim().split(" +")) {
            // Every candidate is compared, so the time taken does not tell which one matched.
            matched |= MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.US_ASCII));
        }
        return matched;
    }

    private byte[] mac(String callId, String timestamp, String status, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(callId.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '\n');
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '\n');
            mac.update(status.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '\n');
            mac.update(body);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static boolean isDigits(String s, int maxLength) {
        if (s.isEmpty() || s.length() > maxLength) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return "CallbackSigner[HmacSHA256, tolerance " + tolerance + ", secret ****]";
    }
}
