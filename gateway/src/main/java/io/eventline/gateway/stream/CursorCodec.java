package io.eventline.gateway.stream;

import java.io.ByteArrayOutputStream;
import java.util.Base64;

/**
 * The stream's {@code id:}: the next Kafka offset of every streamed partition, so any gateway
 * instance can resume from it, signed so that nobody can forge one.
 *
 * <p>Layout (then base64url): version byte {@code 1}, the topology fingerprint (4 bytes), one
 * unsigned varint offset per partition in topology order, and a 16-byte HMAC-SHA256 of everything
 * before it.
 *
 * <p>A cursor is deliberately not bound to a user: it names positions in the topics, not records,
 * and every record replayed from it is filtered by the audience of the token presenting it. A
 * user holding someone else's cursor gets their own records from that point, nothing more. Not
 * binding it lets one encoded id serve every stream a record goes to, which is what makes fan-out
 * cheap (one HMAC per record, not one per user).
 */
public final class CursorCodec {

    static final byte VERSION = 1;
    private static final String CONTEXT = "cursor-v1";
    /** Anything longer is garbage before we even decode it. */
    public static final int MAX_LENGTH = 2048;

    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();

    /** Why a cursor cannot be used. */
    public enum Problem {
        /** Not base64, truncated, too long, or an unknown version. */
        MALFORMED,
        /** The MAC does not match: tampered with, or signed with a secret no longer known. */
        FORGED,
        /** Made for another set of topics or partition counts. */
        TOPOLOGY_CHANGED
    }

    /** A decoded cursor, or the problem with it. */
    public record Decoded(long[] offsets, Problem problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    private final Signer signer;
    private final Topology topology;

    public CursorCodec(Signer signer, Topology topology) {
        this.signer = signer;
        this.topology = topology;
    }

    public Topology topology() {
        return topology;
    }

    public String encode(long[] offsets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8 + offsets.length * 4 + Signer.MAC_BYTES);
        out.write(VERSION);
        int fp = topology.fingerprint();
        out.write(fp >>> 24);
        out.write(fp >>> 16);
        out.write(fp >>> 8);
        out.write(fp);
        for (long offset : offsets) {
            writeVarint(out, offset);
        }
        byte[] body = out.toByteArray();
        byte[] mac = signer.sign(CONTEXT, body, 0, body.length);
        out.writeBytes(mac);
        return ENC.encodeToString(out.toByteArray());
    }

    public Decoded decode(String cursor) {
        if (cursor == null || cursor.isEmpty() || cursor.length() > MAX_LENGTH) {
            return new Decoded(null, Problem.MALFORMED);
        }
        byte[] raw;
        try {
            raw = DEC.decode(cursor.trim());
        } catch (IllegalArgumentException e) {
            return new Decoded(null, Problem.MALFORMED);
        }
        int bodyLength = raw.length - Signer.MAC_BYTES;
        if (bodyLength < 5 || raw[0] != VERSION) {
            return new Decoded(null, Problem.MALFORMED);
        }
        byte[] mac = new byte[Signer.MAC_BYTES];
        System.arraycopy(raw, bodyLength, mac, 0, Signer.MAC_BYTES);
        if (!signer.verify(CONTEXT, raw, 0, bodyLength, mac)) {
            return new Decoded(null, Problem.FORGED);
        }
        int fp = ((raw[1] & 0xff) << 24) | ((raw[2] & 0xff) << 16) | ((raw[3] & 0xff) << 8) | (raw[4] & 0xff);
        if (fp != topology.fingerprint()) {
            return new Decoded(null, Problem.TOPOLOGY_CHANGED);
        }
        long[] offsets = new long[topology.size()];
        int pos = 5;
        for (int i = 0; i < offsets.length; i++) {
            long value = 0;
            int shift = 0;
            while (true) {
                if (pos >= bodyLength || shift > 63) {
                    return new Decoded(null, Problem.MALFORMED);
                }
                byte b = raw[pos++];
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
                shift += 7;
            }
            if (value < 0) {
                return new Decoded(null, Problem.MALFORMED);
            }
            offsets[i] = value;
        }
        if (pos != bodyLength) {
            return new Decoded(null, Problem.MALFORMED);
        }
        return new Decoded(offsets, null);
    }

    private static void writeVarint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}
