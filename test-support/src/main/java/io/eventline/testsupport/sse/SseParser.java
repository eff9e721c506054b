package io.eventline.testsupport.sse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The one parser of {@code text/event-stream} for the tests and the bench (the gateway's own
 * {@code stream.Sse} writes the format, it does not read it). Push-based: feed it the bytes of one
 * stream as they arrive, in chunks of any size; it calls the {@link Listener} for each event, as the
 * WHATWG EventSource does (HTML, "Parsing an event stream"):
 * <ul>
 * <li>lines end with CRLF, LF or CR (a CRLF split across two chunks is one line end);</li>
 * <li>one leading byte order mark of the stream is dropped;</li>
 * <li>a line starting with {@code :} is a comment (heartbeats of other servers) and is ignored;</li>
 * <li>{@code field: value}, one space after the colon stripped; a line without a colon is a field
 * with an empty value;</li>
 * <li>{@code event} sets the type (default {@code message}), {@code data} lines are joined with
 * {@code \n}, {@code id} sets the last event id unless it holds U+0000 (it sticks until changed),
 * {@code retry} of ASCII digits only is reported, other fields are ignored;</li>
 * <li>a blank line dispatches: the last event id becomes the stream's; without data nothing is
 * dispatched (an id-only block still moves {@link #lastEventId()}).</li>
 * </ul>
 * Bytes are decoded as UTF-8 one whole line at a time: CR and LF never occur inside a multi-byte
 * UTF-8 sequence, so a character split across two chunks is decoded once both halves are here.
 * An incomplete event at the end of the stream is never dispatched. Not thread-safe: one stream,
 * one reader.
 */
public final class SseParser {

    /** What a stream says; called on the thread that feeds. */
    public interface Listener {
        /**
         * One dispatched event: its type ({@code message} when the stream named none), its data,
         * and the last event id at that moment (null while the stream has sent no {@code id}).
         */
        void onEvent(String type, String data, String lastEventId);

        /** A valid {@code retry:} field: the reconnection time the server asks for. */
        default void onRetry(long millis) {
        }
    }

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final char BOM = '\uFEFF';

    private final Listener listener;
    private byte[] line = new byte[256];
    private int length;
    private boolean afterCr;
    private boolean firstLine = true;
    private String type;
    private StringBuilder data;
    private String idBuffer;
    private String lastEventId;

    public SseParser(Listener listener) {
        this.listener = listener;
    }

    /** The stream's last event id as of the last blank line; null while it has sent none. */
    public String lastEventId() {
        return lastEventId;
    }

    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    /** Parses {@code len} bytes from {@code off}; dispatches every event they complete. */
    public void feed(byte[] bytes, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) {
            byte b = bytes[i];
            if (b == LF && afterCr) {
                afterCr = false; // the LF of a CRLF
                continue;
            }
            afterCr = b == CR;
            if (b == CR || b == LF) {
                String text = new String(line, 0, length, StandardCharsets.UTF_8);
                length = 0;
                if (firstLine) {
                    firstLine = false;
                    if (!text.isEmpty() && text.charAt(0) == BOM) {
                        text = text.substring(1);
                    }
                }
                line(text);
            } else {
                if (length == line.length) {
                    line = Arrays.copyOf(line, length * 2);
                }
                line[length++] = b;
            }
        }
    }

    /**
     * Starts over for a new connection (a new stream): the half-read line and event and the last
     * event id of the old one are dropped; a caller that resumes keeps its own copy of the id.
     */
    public void reset() {
        length = 0;
        afterCr = false;
        firstLine = true;
        type = null;
        data = null;
        idBuffer = null;
        lastEventId = null;
    }

    private void line(String text) {
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.charAt(0) == ':') {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = "";
        if (colon >= 0) {
            int from = colon + 1 < text.length() && text.charAt(colon + 1) == ' ' ? colon + 2 : colon + 1;
            value = text.substring(from);
        }
        switch (field) {
            case "event" -> type = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    idBuffer = value;
                }
            }
            case "retry" -> {
                if (!value.isEmpty() && value.length() <= 18 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    listener.onRetry(Long.parseLong(value));
                }
            }
            default -> {
                // ignored, as the spec says
            }
        }
    }

    private void dispatch() {
        lastEventId = idBuffer;
        String t = type;
        StringBuilder d = data;
        type = null;
        data = null;
        if (d != null) {
            listener.onEvent(t == null || t.isEmpty() ? "message" : t, d.toString(), lastEventId);
        }
    }
}
