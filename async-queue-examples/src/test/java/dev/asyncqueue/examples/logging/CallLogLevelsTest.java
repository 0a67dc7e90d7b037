package dev.asyncqueue.examples.logging;

import dev.asyncqueue.examples.QueueWorkerApp;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** At INFO, a run of the app logs its life and its failures: a successful call adds no line, a failed one does. */
class CallLogLevelsTest {
    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void atInfoASuccessfulCallLogsNothingAndAFailedOneALineOnTheCallsLogger() throws Exception {
        Path log = Files.createTempFile("async-queue-levels", ".log");
        int port = LocalNatsServer.freePort();
        try (LocalNatsServer nats = LocalNatsServer.builder().port(LocalNatsServer.freePort()).start();
             RecordingHttpServer gateway = RecordingHttpServer.start()) {
            gateway.respond("/function/fine", r -> Response.of(200, "ok"));
            gateway.respond("/function/missing", r -> Response.of(404, "no such thing"));
            Map<String, String> env = new HashMap<>(Map.of("nats_url", nats.url(), "queue_name", "levels",
                    "port", Integer.toString(port), "metrics_port", "0", "gateway_url", gateway.baseUrl().toString(),
                    "log_encoding", "json"));
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    QueueWorkerApp.class.getName()).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process process = pb.start();
            String fine;
            String missing;
            try {
                fine = postWhenUp(process, log, port, "fine", gateway.baseUrl() + "/cb");
                missing = post(port, "missing", gateway.baseUrl() + "/cb").headers().firstValue("X-Call-Id").orElseThrow();
                gateway.await("/cb", 2, Duration.ofSeconds(20));
            } finally {
                process.destroy();
                process.waitFor(20, TimeUnit.SECONDS);
                process.destroyForcibly();
            }
            List<String> lines = Files.readAllLines(log);
            List<String> callLines = lines.stream().filter(l -> l.contains("\"logger\":\"dev.asyncqueue.calls\"")).toList();

            assertTrue(lines.stream().anyMatch(l -> l.contains("queue-worker ready")), String.join("\n", lines));
            assertEquals(List.of(), lines.stream().filter(l -> l.contains(fine) && l.contains("\"outcome\"")).toList(),
                    "a successful call is a DEBUG line, whichever logger");
            assertTrue(callLines.stream().anyMatch(l -> l.contains(missing) && l.contains("\"outcome\":\"failed\"")
                    && l.contains("\"level\":\"INFO\"")), "the failed call is an INFO line on its logger:\n"
                    + String.join("\n", lines));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Posts once the app answers; returns the call id. */
    private String postWhenUp(Process process, Path log, int port, String function, String callback) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            assertTrue(System.nanoTime() < deadline && process.isAlive(), "the worker came up:\n" + Files.readString(log));
            try {
                HttpResponse<String> response = post(port, function, callback);
                if (response.statusCode() == 202) return response.headers().firstValue("X-Call-Id").orElseThrow();
            } catch (IOException notYet) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private HttpResponse<String> post(int port, String function, String callback) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/async-function/" + function))
                .header("X-Callback-Url", callback).POST(HttpRequest.BodyPublishers.ofString("body")).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
