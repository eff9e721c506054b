package io.eventline.systemtests.faults;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.eventline.systemtests.SseClient.Event;
import io.eventline.testsupport.sse.SseParser;

/**
 * HTTP/1.1 over a plain socket, for what {@link java.net.http.HttpClient} will not do: header
 * values with arbitrary bytes, requests cut off half-way, and clients that never read.
 */
final class RawHttp {

    /** A response's status and headers (names in lower case). */
    record Head(int status, Map<String, String> headers) {
        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), "");
        }
    }

    private static final int MAX_HEAD = 65_536;

    private RawHttp() {
    }

    /** A connected socket; {@code receiveBuffer} > 0 sets SO_RCVBUF before connecting (a small window). */
    static Socket connect(int port, int receiveBuffer, int readTimeoutMillis) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("localhost", port), 5_000);
        s.setSoTimeout(readTimeoutMillis);
        return s;
    }

    /**
     * {@code GET <target>} for a stream, with a bearer token (if not null) and a Last-Event-ID header
     * whose value is the given bytes as they are (if not null).
     */
    static byte[] streamRequest(String target, String token, byte[] lastEventId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        if (token != null) {
            out.writeBytes(("Authorization: Bearer " + token + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        if (lastEventId != null) {
            out.writeBytes("Last-Event-ID: ".getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(lastEventId);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /** Reads the status line and headers. */
    static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0; // matched bytes of \r\n\r\n
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended before the response head (" + head.size() + " bytes)");
            }
            head.write(b);
            if (head.size() > MAX_HEAD) {
                throw new IOException("response head over " + MAX_HEAD + " bytes");
            }
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                    : (b == '\r' ? 1 : 0);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return new Head(status, headers);
    }

    /** The body that follows {@code head}: de-chunked, or {@code Content-Length} bytes, or up to the end. */
    static InputStream body(InputStream in, Head head) {
        if (head.header("transfer-encoding").toLowerCase(Locale.ROOT).contains("chunked")) {
            return new Chunked(in);
        }
        String length = head.header("content-length");
        if (!length.isEmpty()) {
            return new Bounded(in, Long.parseLong(length));
        }
        return in;
    }

    /** The whole body as UTF-8 (for problem+json answers). */
    static String readBody(InputStream in, Head head) throws IOException {
        return new String(body(in, head).readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Reads what arrives until the server closes: true on a clean end or a reset, false on a read timeout. */
    static boolean drainToEnd(InputStream in) throws IOException {
        byte[] buffer = new byte[65_536];
        try {
            while (in.read(buffer) >= 0) {
                // what was in flight before the close
            }
            return true;
        } catch (SocketException reset) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** SSE events from a body, parsed as EventSource does by test-support's {@link SseParser}. */
    static final class SseReader {
        private final InputStream body;
        private final byte[] buffer = new byte[8192];
        private final ArrayDeque<Event> ready = new ArrayDeque<>();
        private final SseParser parser = new SseParser((type, data, lastEventId) -> ready.add(new Event(lastEventId, type, data)));

        SseReader(InputStream body) {
            this.body = body;
        }

        /** The next event, heartbeats included; null when the stream ended. Read timeouts propagate. */
        Event next() throws IOException {
            while (ready.isEmpty()) {
                int n = body.read(buffer);
                if (n < 0) {
                    return null;
                }
                parser.feed(buffer, 0, n);
            }
            return ready.poll();
        }
    }

    /** {@code Transfer-Encoding: chunked}, decoded. */
    private static final class Chunked extends InputStream {
        private final InputStream in;
        private long left;
        private boolean started;
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                if (started) {
                    line(); // the CRLF after the previous chunk
                }
                started = true;
                String size = line();
                if (size == null) {
                    done = true;
                    return -1;
                }
                int semicolon = size.indexOf(';');
                left = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
                if (left == 0) {
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                done = true;
                return -1;
            }
            left -= n;
            return n;
        }

        private String line() throws IOException {
            StringBuilder s = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    s.append((char) c);
                }
                if (s.length() > 1024) {
                    throw new IOException("chunk size line too long");
                }
            }
            return c < 0 && s.isEmpty() ? null : s.toString();
        }
    }

    /** At most {@code length} bytes of the underlying stream. */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
