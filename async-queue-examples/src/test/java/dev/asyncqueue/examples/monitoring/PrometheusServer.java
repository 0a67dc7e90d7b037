package dev.asyncqueue.examples.monitoring;

import dev.asyncqueue.examples.localnats.LocalNatsServer;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's {@code /usr/bin/prometheus}) on a free loopback port, its data and log in
 * a directory of the test's, scraping one target every second and evaluating the given rule files.
 * {@link #close()} stops it and waits until it has exited.
 */
final class PrometheusServer implements AutoCloseable {
    /** The scrape job's name: the one the alerting rules expect. */
    static final String JOB = "queue-worker";

    private final HttpClient client = HttpClient.newHttpClient();
    private final Process process;
    private final Path log;
    private final int port;

    private PrometheusServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts one scraping {@code target} ({@code host:port}, path {@code /metrics}) and waits until it is ready. */
    static PrometheusServer start(Path dir, String target, List<Path> ruleFiles) throws IOException, InterruptedException {
        Path executable = MonitoringFiles.executable("prometheus");
        StringBuilder config = new StringBuilder()
                .append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n")
                .append("rule_files:\n");
        for (Path rules : ruleFiles) config.append("  - '").append(rules.toAbsolutePath()).append("'\n");
        config.append("scrape_configs:\n  - job_name: ").append(JOB).append('\n')
                .append("    static_configs:\n      - targets: ['").append(target).append("']\n");
        Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
        Path data = Files.createDirectories(dir.resolve("data"));
        Path log = dir.resolve("prometheus.log");
        int port = LocalNatsServer.freePort();
        Process process = new ProcessBuilder(executable.toString(),
                "--config.file=" + configFile,
                "--storage.tsdb.path=" + data,
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(process, log, port);
        try {
            server.awaitReady(Duration.ofSeconds(20));
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) throw new AssertionError("prometheus exited with " + process.exitValue() + ": " + logTail());
            try {
                HttpResponse<String> ready = client.send(HttpRequest.newBuilder(uri("/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("prometheus not ready within " + timeout + ": " + logTail());
    }

    /** {@code data.result} of an instant query, failing on an error answer (a query that does not parse, say). */
    List<JsonValue> query(String expr) throws IOException, InterruptedException {
        JsonValue data = get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8), expr);
        return data.map.get("result").array;
    }

    /** {@code data.groups} of the rules API. */
    List<JsonValue> ruleGroups() throws IOException, InterruptedException {
        return get("/api/v1/rules", "rules").map.get("groups").array;
    }

    private JsonValue get(String pathAndQuery, String what) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri(pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        JsonValue body = JsonParser.parse(response.body());
        JsonValue status = body.map.get("status");
        if (response.statusCode() != 200 || status == null || !"success".equals(status.string)) {
            throw new AssertionError("prometheus answered " + response.statusCode() + " to " + what + ": " + response.body());
        }
        return body.map.get("data");
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    /** The end of Prometheus' log, for failure messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
