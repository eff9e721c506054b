package io.eventline.gateway.stream;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256 under the shared stream secret, with a key derived per purpose (cursor, ticket), so
 * a value signed for one purpose never verifies as the other. Signs with the current secret and
 * verifies with it or any previous one, for rotation.
 */
public final class Signer {

    /** Truncated MAC length: 128 bits. */
    public static final int MAC_BYTES = 16;

    private final List<SecretKeySpec> keys = new ArrayList<>();
    private final ThreadLocal<List<Mac>> macs;

    public Signer(String purpose, String secret, List<String> previous) {
        keys.add(derive(purpose, secret));
        for (String old : previous) {
            keys.add(derive(purpose, old));
        }
        this.macs = ThreadLocal.withInitial(() -> keys.stream().map(Signer::mac).toList());
    }

    /** The MAC of {@code context} followed by {@code data[from, to)}, under the current secret. */
    public byte[] sign(String context, byte[] data, int from, int to) {
        return sign(macs.get().get(0), context, data, from, to);
    }

    /** Whether {@code mac} is the MAC of the context and data under the current or a previous secret. */
    public boolean verify(String context, byte[] data, int from, int to, byte[] mac) {
        for (Mac m : macs.get()) {
            if (MessageDigest.isEqual(sign(m, context, data, from, to), mac)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] sign(Mac mac, String context, byte[] data, int from, int to) {
        mac.reset();
        byte[] ctx = context.getBytes(StandardCharsets.UTF_8);
        mac.update(intBytes(ctx.length));
        mac.update(ctx);
        mac.update(data, from, to - from);
        byte[] full = mac.doFinal();
        byte[] out = new byte[MAC_BYTES];
        System.arraycopy(full, 0, out, 0, MAC_BYTES);
        return out;
    }

    private static byte[] intBytes(int v) {
        return new byte[] { (byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v };
    }

    private static SecretKeySpec derive(String purpose, String secret) {
        if (secret == null || secret.length() < 32) {
            throw new IllegalArgumentException("eventline.stream.secret (and each previous secret) must be at least "
                    + "32 characters; every gateway instance must share it");
        }
        try {
            Mac kdf = Mac.getInstance("HmacSHA256");
            kdf.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return new SecretKeySpec(kdf.doFinal(("eventline-stream-" + purpose).getBytes(StandardCharsets.UTF_8)),
                    "HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
