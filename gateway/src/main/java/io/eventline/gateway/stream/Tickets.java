package io.eventline.gateway.stream;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Single-use stream tickets, for {@code EventSource}, which cannot send an Authorization header.
 *
 * <p>A ticket is signed, not stored: it carries the user, their role, when their token expires,
 * when the ticket expires and a random nonce, so any instance sharing the secret accepts it.
 * Single use is enforced by the instance that redeems it (the nonce is remembered until the
 * ticket would have expired anyway). Behind N instances a leaked ticket could therefore open
 * at most one stream per instance within its short lifetime, and only for its own user.
 */
final class Tickets {

    private static final byte VERSION = 1;
    private static final String CONTEXT = "ticket-v1";
    private static final int MAX_LENGTH = 1024;
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();

    private final Signer signer;
    private final Duration ttl;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> redeemed = new ConcurrentHashMap<>();
    private volatile long nextSweep;

    Tickets(Signer signer, Duration ttl) {
        this.signer = signer;
        this.ttl = ttl;
    }

    Duration ttl() {
        return ttl;
    }

    String issue(Identity identity) {
        byte[] sub = identity.sub().getBytes(StandardCharsets.UTF_8);
        byte[] role = identity.role().getBytes(StandardCharsets.UTF_8);
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        long expires = System.currentTimeMillis() + ttl.toMillis();
        ByteBuffer body = ByteBuffer.allocate(1 + 8 + 8 + 16 + 1 + role.length + sub.length);
        body.put(VERSION).putLong(expires).putLong(identity.expiresAtMillis()).put(nonce).put((byte) role.length)
                .put(role).put(sub);
        byte[] bytes = body.array();
        byte[] mac = signer.sign(CONTEXT, bytes, 0, bytes.length);
        return ENC.encodeToString(ByteBuffer.allocate(bytes.length + mac.length).put(bytes).put(mac).array());
    }

    /** The identity a ticket stands for, once; null when it is malformed, forged, expired or used. */
    Identity redeem(String ticket) {
        if (ticket == null || ticket.isEmpty() || ticket.length() > MAX_LENGTH) {
            return null;
        }
        byte[] raw;
        try {
            raw = DEC.decode(ticket);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int bodyLength = raw.length - Signer.MAC_BYTES;
        if (bodyLength < 1 + 8 + 8 + 16 + 1 + 1 || raw[0] != VERSION) {
            return null;
        }
        byte[] mac = new byte[Signer.MAC_BYTES];
        System.arraycopy(raw, bodyLength, mac, 0, mac.length);
        if (!signer.verify(CONTEXT, raw, 0, bodyLength, mac)) {
            return null;
        }
        ByteBuffer body = ByteBuffer.wrap(raw, 0, bodyLength);
        body.get();
        long expires = body.getLong();
        long tokenExpires = body.getLong();
        byte[] nonce = new byte[16];
        body.get(nonce);
        int roleLength = body.get() & 0xff;
        if (roleLength > body.remaining()) {
            return null;
        }
        byte[] role = new byte[roleLength];
        body.get(role);
        byte[] sub = new byte[body.remaining()];
        body.get(sub);
        long now = System.currentTimeMillis();
        if (expires <= now || tokenExpires <= now) {
            return null;
        }
        sweep(now);
        if (redeemed.putIfAbsent(ENC.encodeToString(nonce), expires) != null) {
            return null;
        }
        return new Identity(new String(sub, StandardCharsets.UTF_8), new String(role, StandardCharsets.UTF_8), tokenExpires);
    }

    private void sweep(long now) {
        if (now < nextSweep) {
            return;
        }
        nextSweep = now + 10_000;
        redeemed.values().removeIf(expires -> expires <= now);
    }
}
