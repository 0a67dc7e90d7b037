package dev.asyncqueue.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A keep-alive HTTP/1.1 server on plain sockets for tests that watch connections: it counts the
 * connections it accepted and those still open, and per path it answers, hangs until released (seeing
 * when the client gives up and closes), or resets the connection.
 */
final class RawHttpServer implements AutoCloseable {
    /** What a path does: {@code /function/slow...} hangs, {@code /function/reset...} resets, anything else answers. */
    private static final String HANG = "/function/slow";
    private static final String RESET = "/function/reset";
    private static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
            .getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "raw-http-server");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger hanging = new AtomicInteger();
    private final AtomicInteger abandoned = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    RawHttpServer() throws IOException {
        server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Connections accepted since the start. */
    int accepted() {
        return accepted.get();
    }

    /** Connections open now. */
    int open() {
        return open.size();
    }

    /** Requests to a hanging path being held now. */
    int hanging() {
        return hanging.get();
    }

    /** Hanging requests whose client closed the connection before the answer. */
    int abandoned() {
        return abandoned.get();
    }

    /** Lets every hanging request, and those to come, be answered. */
    void release() {
        release.countDown();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                open.add(socket);
                threads.execute(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            String requestLine;
            while ((requestLine = line(in)) != null) {
                int length = 0;
                String header;
                while ((header = line(in)) != null && !header.isEmpty()) {
                    String lower = header.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) length = Integer.parseInt(lower.substring(15).trim());
                }
                in.readNBytes(length);
                String path = requestLine.split(" ")[1];
                if (path.startsWith(RESET)) {
                    socket.setSoLinger(true, 0);
                    return;
                }
                if (path.startsWith(HANG) && !holdUntilReleased(socket, in)) return;
                out.write(OK);
                out.flush();
            }
        } catch (IOException | RuntimeException gone) {
            // The client went away; the socket closes.
        } finally {
            open.remove(socket);
        }
    }

    /** False when the client closed the connection while held. */
    private boolean holdUntilReleased(Socket socket, InputStream in) throws IOException {
        hanging.incrementAndGet();
        socket.setSoTimeout(20);
        try {
            while (release.getCount() > 0) {
                try {
                    in.mark(1);
                    if (in.read() < 0) {
                        abandoned.incrementAndGet();
                        return false;
                    }
                    in.reset();
                } catch (SocketTimeoutException stillThere) {
                    // Poll again.
                }
            }
            return true;
        } catch (IOException reset) {
            abandoned.incrementAndGet();
            return false;
        } finally {
            socket.setSoTimeout(0);
            hanging.decrementAndGet();
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = bytes.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            bytes.write(c);
        }
        return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        release();
        server.close();
        for (Socket socket : open) socket.close();
        threads.shutdownNow();
    }
}
