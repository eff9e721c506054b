package io.eventline.testsupport.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** {@link SseParser}: the EventSource parsing rules, whatever the chunks the bytes come in. */
class SseParserTest {

    record Got(String type, String data, String lastEventId) {
    }

    /** Records what the parser reports. */
    static final class Recorder implements SseParser.Listener {
        final List<Got> events = new ArrayList<>();
        final List<Long> retries = new ArrayList<>();

        @Override
        public void onEvent(String type, String data, String lastEventId) {
            events.add(new Got(type, data, lastEventId));
        }

        @Override
        public void onRetry(long millis) {
            retries.add(millis);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Recorder parse(byte[]... chunks) {
        Recorder r = new Recorder();
        SseParser p = new SseParser(r);
        for (byte[] c : chunks) {
            p.feed(c);
        }
        return r;
    }

    @Test
    void aMultiByteCharacterSplitAcrossTwoChunksAtAnyByteIsDecodedWhole() {
        // 2, 3 and 4 bytes (é, €, an emoji: a surrogate pair in Java), in data, event type and id
        String text = "id: é€😀\nevent: caf\u00e9\ndata: {\"name\":\"é € 😀\"}\ndata: 😀😀\n\n";
        byte[] bytes = utf8(text);
        List<Got> expected = List.of(new Got("café", "{\"name\":\"é € 😀\"}\n😀😀", "é€😀"));
        for (int at = 0; at <= bytes.length; at++) {
            byte[] first = java.util.Arrays.copyOfRange(bytes, 0, at);
            byte[] second = java.util.Arrays.copyOfRange(bytes, at, bytes.length);
            assertEquals(expected, parse(first, second).events, "split at byte " + at);
        }
        byte[][] oneByOne = new byte[bytes.length][];
        for (int i = 0; i < bytes.length; i++) {
            oneByOne[i] = new byte[] { bytes[i] };
        }
        assertEquals(expected, parse(oneByOne).events, "one byte a chunk");
    }

    @Test
    void linesEndWithLfCrOrCrlfAndACrlfSplitAcrossChunksIsOneLineEnd() {
        List<Got> expected = List.of(new Got("a", "1\n2", "x"), new Got("message", "3", "x"));
        for (String eol : List.of("\n", "\r", "\r\n")) {
            String text = "event: a" + eol + "id: x" + eol + "data: 1" + eol + "data: 2" + eol + eol + "data: 3" + eol + eol;
            byte[] bytes = utf8(text);
            for (int at = 0; at <= bytes.length; at++) {
                byte[] first = java.util.Arrays.copyOfRange(bytes, 0, at);
                byte[] second = java.util.Arrays.copyOfRange(bytes, at, bytes.length);
                assertEquals(expected, parse(first, second).events, "line end " + eol.replace("\r", "CR").replace("\n", "LF")
                        + ", split at byte " + at);
            }
        }
        // mixed in one stream
        assertEquals(List.of(new Got("message", "a\nb\nc", null)), parse(utf8("data: a\rdata: b\ndata: c\r\n\r")).events);
    }

    @Test
    void aCrDispatchesAtOnceWithoutWaitingForAPossibleLf() {
        Recorder r = new Recorder();
        SseParser p = new SseParser(r);
        p.feed(utf8("data: now\r\r"));
        assertEquals(List.of(new Got("message", "now", null)), r.events);
        p.feed(utf8("\ndata: next\n\n")); // the LF ends the CR's line: no extra blank line, no extra event
        assertEquals(List.of(new Got("message", "now", null), new Got("message", "next", null)), r.events);
    }

    @Test
    void oneLeadingByteOrderMarkIsDropped() {
        assertEquals(List.of(new Got("message", "x", null)), parse(utf8("\uFEFFdata: x\n\n")).events);
        byte[] bom = utf8("\uFEFFdata: x\n\n");
        assertEquals(List.of(new Got("message", "x", null)),
                parse(java.util.Arrays.copyOfRange(bom, 0, 2), java.util.Arrays.copyOfRange(bom, 2, bom.length)).events);
        // only the first: a second one is part of the field name, an unknown field
        assertEquals(List.of(), parse(utf8("\uFEFF\uFEFFdata: x\n\n")).events);
        // not at the start of the stream: part of the field name
        assertEquals(List.of(new Got("message", "y", null)), parse(utf8("data: y\n\n\uFEFFdata: x\n\n")).events);
    }

    @Test
    void fieldsAsTheSpecSays() {
        Recorder r = parse(utf8("""
                : a comment, a heartbeat of some servers
                retry: 2500
                retry: 10x
                id: 7
                data:no space
                data:  two spaces

                data
                event: custom

                event: dropped
                id

                id: with\0null
                data: after

                """));
        assertEquals(List.of(new Got("message", "no space\n two spaces", "7"), new Got("custom", "", "7"),
                new Got("message", "after", "")), r.events);
        assertEquals(List.of(2500L), r.retries);
    }

    @Test
    void theLastEventIdMovesOnTheBlankLineEvenWithoutDataAndSticks() {
        Recorder r = new Recorder();
        SseParser p = new SseParser(r);
        p.feed(utf8("id: 1\n"));
        assertNull(p.lastEventId(), "not before the blank line");
        p.feed(utf8("\n"));
        assertEquals("1", p.lastEventId());
        assertEquals(List.of(), r.events);
        p.feed(utf8("data: a\n\n"));
        assertEquals(List.of(new Got("message", "a", "1")), r.events);
    }

    @Test
    void anIncompleteEventAtTheEndIsNotDispatchedAndResetStartsAFreshStream() {
        Recorder r = new Recorder();
        SseParser p = new SseParser(r);
        p.feed(utf8("id: 1\n\nevent: x\ndata: half"));
        assertEquals(List.of(), r.events);
        p.reset();
        assertNull(p.lastEventId());
        p.feed(utf8("\uFEFFdata: fresh\n\n"));
        assertEquals(List.of(new Got("message", "fresh", null)), r.events);
    }
}
