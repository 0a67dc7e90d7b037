package dev.asyncqueue.callback;

import dev.asyncqueue.CallHeaders;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Signs callbacks with HMAC-SHA256 and a shared secret so receivers can tell them from forgeries. The
 * signature covers the call id and the body: {@code HMAC(secret, callId + "\n" + body)}, sent as
 * {@link CallHeaders#CALLBACK_SIGNATURE}{@code : sha256=<hex>}. The secret never leaves this object, not even in
 * {@link #toString()}.
 */
public final class CallbackSigner {
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    /** A signer with the given secret, which must be at least 16 bytes long. */
    public CallbackSigner(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < 16) throw new IllegalArgumentException("the signing secret must be at least 16 bytes long");
        this.key = new SecretKeySpec(secret.clone(), ALGORITHM);
    }

    /** The header value for a callback: {@code sha256=} and the lower-case hex HMAC. */
    public String sign(String callId, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(callId.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) '\n');
            mac.update(body);
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Whether {@code signature} is the right one, compared in constant time (for receivers written in Java). */
    public boolean verify(String callId, byte[] body, String signature) {
        return signature != null && MessageDigest.isEqual(sign(callId, body).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "CallbackSigner[HmacSHA256, secret ****]";
    }
}
