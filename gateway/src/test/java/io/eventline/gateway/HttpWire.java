package io.eventline.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket that reads a response exactly as RFC 9112 §6.3 frames it, and
 * nothing more: so a connection can carry a second request, and any byte a response left over (or
 * promised and never sent) shows as a malformed or timed-out second answer.
 *
 * <p>A {@code Transfer-Encoding: chunked} answer is read chunk by chunk up to its terminator
 * ({@code 0\r\n\r\n}), as a strict client (Python's http.client) does even on a 304: a missing
 * terminator is a read timeout, not a hang.
 */
public final class HttpWire implements AutoCloseable {

    /** A response as it came: the status line, the header fields in order (names in lower case), the body. */
    public record Response(String statusLine, int status, List<Map.Entry<String, String>> headers, byte[] body, boolean chunked) {

        /** The value of the only field {@code name}, or null; fails if there are several. */
        public String header(String name) {
            List<String> values = all(name);
            if (values.size() > 1) {
                throw new AssertionError("more than one " + name + ": " + values);
            }
            return values.isEmpty() ? null : values.get(0);
        }

        public List<String> all(String name) {
            return headers.stream().filter(h -> h.getKey().equals(name)).map(Map.Entry::getValue).toList();
        }

        public List<String> names() {
            return headers.stream().map(Map.Entry::getKey).sorted().toList();
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final int MAX_HEAD = 65_536;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** A connection to {@code localhost:port} whose every read fails after {@code readTimeoutMillis}. */
    public HttpWire(int port, int readTimeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("localhost", port), 5_000);
        socket.setSoTimeout(readTimeoutMillis);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Sends {@code method target}, the given header lines ("Name: value") and body, and reads the answer. */
    public Response exchange(String method, String target, List<String> headerLines, byte[] body) throws IOException {
        send(method, target, headerLines, body);
        return read(method);
    }

    public void send(String method, String target, List<String> headerLines, byte[] body) throws IOException {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
        headerLines.forEach(h -> head.append(h).append("\r\n"));
        if (body != null && headerLines.stream().noneMatch(h -> h.toLowerCase(Locale.ROOT).startsWith("transfer-encoding:"))) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
    }

    /** Reads one response to a {@code method} request, framed as RFC 9112 §6.3 says. */
    public Response read(String method) throws IOException {
        String[] lines = readHead().split("\r\n");
        String statusLine = lines[0];
        if (!statusLine.matches("HTTP/1\\.1 [1-5]\\d\\d( .*)?")) {
            throw new AssertionError("not a status line: " + printable(statusLine));
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new AssertionError("not a header field: " + printable(lines[i]));
            }
            headers.add(Map.entry(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip()));
        }
        boolean chunked = headers.stream()
                .anyMatch(h -> h.getKey().equals("transfer-encoding") && h.getValue().toLowerCase(Locale.ROOT).contains("chunked"));
        List<String> length = headers.stream().filter(h -> h.getKey().equals("content-length")).map(Map.Entry::getValue).toList();
        byte[] body;
        if (chunked) {
            // What a strict client does even where RFC 9112 says there is no body: believe the header.
            body = readChunks();
        } else if ("HEAD".equals(method) || status < 200 || status == 204 || status == 304) {
            body = new byte[0];
        } else if (length.size() == 1) {
            body = in.readNBytes(Integer.parseInt(length.get(0)));
            if (body.length != Integer.parseInt(length.get(0))) {
                throw new AssertionError("Content-Length " + length.get(0) + " but the connection ended after " + body.length);
            }
        } else {
            throw new AssertionError("a " + status + " with a body framed by neither chunks nor one Content-Length: " + headers);
        }
        return new Response(statusLine, status, List.copyOf(headers), body, chunked);
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0; // matched bytes of \r\n\r\n
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended before a response head (" + head.size() + " bytes)");
            }
            head.write(b);
            if (head.size() > MAX_HEAD) {
                throw new AssertionError("response head over " + MAX_HEAD + " bytes");
            }
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                    : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    private byte[] readChunks() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new AssertionError("not a chunk size: " + printable(sizeLine));
            }
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailer fields
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new AssertionError("a chunk of " + size + " bytes ended after " + chunk.length);
            }
            body.writeBytes(chunk);
            if (!readLine().isEmpty()) {
                throw new AssertionError("a chunk not followed by CRLF");
            }
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended inside a chunked body");
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                if (!text.endsWith("\r")) {
                    throw new AssertionError("a bare LF in a chunked body");
                }
                return text.substring(0, text.length() - 1);
            }
            line.write(b);
        }
    }

    private static String printable(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
