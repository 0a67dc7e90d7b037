package dev.asyncqueue.examples;

import dev.asyncqueue.examples.localnats.LocalNatsServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Headers past the JDK HTTP server's own limits (200 header names, 380 KiB) get a 431 rather than a closed
 * connection. Those limits are JVM-wide system properties read once, when the JDK's server first starts, so
 * the app runs here as it does in production: its own JVM, started through {@code main}.
 */
class IngestHugeHeadersTest {
    private static LocalNatsServer nats;
    private static Process app;
    private static Path appLog;
    private static int port;
    private static final String QUEUE = "huge-headers";

    @BeforeAll
    static void start() throws Exception {
        nats = LocalNatsServer.start();
        port = LocalNatsServer.freePort();
        appLog = Files.createTempFile("ingest-huge-headers-", ".log");
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), QueueWorkerApp.class.getName())
                .redirectErrorStream(true).redirectOutput(appLog.toFile());
        pb.environment().put("nats_url", nats.url());
        pb.environment().put("queue_name", QUEUE);
        pb.environment().put("role", "ingest");
        pb.environment().put("port", Integer.toString(port));
        pb.environment().put("metrics_port", "0");
        app = pb.start();
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            assertTrue(System.nanoTime() < deadline && app.isAlive(), "the ingest came up:\n" + Files.readString(appLog));
            try {
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) break;
            } catch (IOException notYet) {
                // not listening yet
            }
            app.waitFor(100, TimeUnit.MILLISECONDS);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (app != null) {
            app.destroy();
            if (!app.waitFor(20, TimeUnit.SECONDS)) app.destroyForcibly();
        }
        if (nats != null) nats.close();
        if (appLog != null) Files.deleteIfExists(appLog);
    }

    /** Sends a request with these header lines; the answer's status line, or null when the server closed without one. */
    private static String statusLine(String headerLines) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000);
            try {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /async-function/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n"
                        + headerLines + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
            } catch (IOException closed) {
                return null;
            }
        }
    }

    private static long stored() throws Exception {
        try (Connection connection = Nats.connect(nats.url())) {
            return connection.jetStreamManagement().getStreamInfo("OF_" + QUEUE).getStreamState().getLastSequence();
        }
    }

    @Test
    void moreThanTwoHundredHeaderLinesGet431() throws Exception {
        String lines = IntStream.range(0, 300).mapToObj(i -> "X-H" + i + ": v\r\n").collect(Collectors.joining());

        String status = statusLine(lines);

        assertTrue(status != null && status.startsWith("HTTP/1.1 431 "), status + "\n" + Files.readString(appLog));
        assertEquals(0, stored(), "nothing is stored");
    }

    @Test
    void headersOverThreeHundredEightyFourKibibytesGet431() throws Exception {
        String oneHugeLine = "X-Huge: " + "v".repeat(400 * 1024) + "\r\n";
        String manyLongLines = IntStream.range(0, 100).mapToObj(i -> "X-L" + i + ": " + "v".repeat(4096) + "\r\n")
                .collect(Collectors.joining());

        String huge = statusLine(oneHugeLine);
        String many = statusLine(manyLongLines);

        assertTrue(huge != null && huge.startsWith("HTTP/1.1 431 "), huge + "\n" + Files.readString(appLog));
        assertTrue(many != null && many.startsWith("HTTP/1.1 431 "), many + "\n" + Files.readString(appLog));
        assertEquals(0, stored(), "nothing is stored");
    }
}
