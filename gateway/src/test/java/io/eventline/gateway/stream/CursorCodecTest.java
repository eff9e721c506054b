package io.eventline.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class CursorCodecTest {

    private static final String SECRET = "a-secret-of-at-least-thirty-two-characters";
    private final Topology topology = new Topology(Map.of("t1", 2, "t2", 3), List.of("t1", "t2"));
    private final CursorCodec codec = new CursorCodec(new Signer("cursor", SECRET, List.of()), topology);

    @Test
    void roundTripsEveryOffsetIncludingLargeOnes() {
        long[] offsets = { 0, 1, 127, 128, Long.MAX_VALUE };
        CursorCodec.Decoded decoded = codec.decode(codec.encode(offsets));
        assertThat(decoded.ok()).isTrue();
        assertThat(decoded.offsets()).containsExactly(offsets);
    }

    @Test
    void anyChangedCharacterIsForgedOrMalformed() {
        String cursor = codec.encode(new long[] { 5, 6, 7, 8, 9 });
        for (int i = 0; i < cursor.length(); i++) {
            char c = cursor.charAt(i);
            String tampered = cursor.substring(0, i) + (c == 'A' ? 'B' : 'A') + cursor.substring(i + 1);
            assertThat(codec.decode(tampered).ok()).as("position %d", i).isFalse();
        }
    }

    @Test
    void garbageIsMalformedNeverAnException() {
        for (String garbage : new String[] { null, "", "%%%", "AAAA", "x".repeat(5_000), "AQ", " ", "a.b.c" }) {
            assertThat(codec.decode(garbage).problem()).as(String.valueOf(garbage)).isEqualTo(CursorCodec.Problem.MALFORMED);
        }
    }

    @Test
    void anotherSecretIsForgedAndAPreviousSecretStillVerifies() {
        String other = new CursorCodec(new Signer("cursor", SECRET + "-other", List.of()), topology).encode(new long[5]);
        assertThat(codec.decode(other).problem()).isEqualTo(CursorCodec.Problem.FORGED);

        CursorCodec rotated = new CursorCodec(new Signer("cursor", SECRET + "-new", List.of(SECRET)), topology);
        assertThat(rotated.decode(codec.encode(new long[] { 1, 2, 3, 4, 5 })).offsets()).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void aTicketSignatureIsNotACursorSignature() {
        Signer tickets = new Signer("ticket", SECRET, List.of());
        Signer cursors = new Signer("cursor", SECRET, List.of());
        byte[] data = { 1, 2, 3 };
        assertThat(cursors.verify("x", data, 0, 3, tickets.sign("x", data, 0, 3))).isFalse();
    }

    @Test
    void aCursorForAnotherTopologyIsRecognised() {
        Topology more = new Topology(Map.of("t1", 2, "t2", 4), List.of("t1", "t2"));
        String cursor = new CursorCodec(new Signer("cursor", SECRET, List.of()), more).encode(new long[6]);
        assertThat(codec.decode(cursor).problem()).isEqualTo(CursorCodec.Problem.TOPOLOGY_CHANGED);
    }

    @Test
    void aShortSecretIsRefusedAtStart() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Signer("cursor", "short", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32");
    }
}
