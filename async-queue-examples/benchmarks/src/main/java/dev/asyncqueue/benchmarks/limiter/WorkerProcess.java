package dev.asyncqueue.benchmarks.limiter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One example queue-worker ({@code dev.asyncqueue.examples.QueueWorkerApp} from this class path) in its own JVM,
 * configured by environment variables, with its {@code /metrics} on a port of its own so that its
 * {@code queue_worker_concurrency_limit} can be read while it runs; {@link #kill()} ends it with SIGKILL.
 */
final class WorkerProcess implements AutoCloseable {
    private static final Pattern LIMIT = Pattern.compile(
            "(?m)^queue_worker_concurrency_limit\\{([^}]*)}\\s+([-+0-9.eEaNInf]+)\\s*$");
    private static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(1);

    private final String name;
    private final Process process;
    private final int metricsPort;
    private final Path log;
    private final HttpClient http;
    private volatile boolean killed;

    private WorkerProcess(String name, Process process, int metricsPort, Path log, HttpClient http) {
        this.name = name;
        this.process = process;
        this.metricsPort = metricsPort;
        this.log = log;
        this.http = http;
    }

    /**
     * Starts a worker named {@code name} with {@code environment} plus its {@code worker_name} and {@code metrics_port};
     * its output goes to {@code log}.
     */
    static WorkerProcess start(String name, Map<String, String> environment, List<String> jvmOptions, Path log,
                               HttpClient http) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.asyncqueue.examples.QueueWorkerApp"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        Map<String, String> env = new HashMap<>(environment);
        env.put("worker_name", name);
        env.put("metrics_port", Integer.toString(port));
        builder.environment().putAll(env);
        return new WorkerProcess(name, builder.start(), port, log, http);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Its {@code worker_name}, its member id in the coordination bucket. */
    String name() {
        return name;
    }

    /** Whether the JVM still runs. */
    boolean alive() {
        return process.isAlive();
    }

    /** Whether it was killed on purpose. */
    boolean killed() {
        return killed;
    }

    /** Whether its {@code /metrics} answers yet: the app serves it once its worker has started. */
    boolean ready() {
        return scrape() != null;
    }

    /**
     * Its {@code queue_worker_concurrency_limit} for {@code function}, or empty while it has no limiter for it, or
     * when it does not answer (not started yet, killed).
     */
    OptionalInt limit(String function) {
        String text = scrape();
        return text == null ? OptionalInt.empty() : limitIn(text, function);
    }

    /** The limit of {@code function} in a Prometheus scrape, empty when absent or not a number. */
    static OptionalInt limitIn(String scrape, String function) {
        Matcher m = LIMIT.matcher(scrape);
        String label = "function_name=\"" + function + "\"";
        while (m.find()) {
            if (!m.group(1).contains(label)) continue;
            try {
                double value = Double.parseDouble(m.group(2));
                return Double.isFinite(value) ? OptionalInt.of((int) Math.round(value)) : OptionalInt.empty();
            } catch (NumberFormatException e) {
                return OptionalInt.empty();
            }
        }
        return OptionalInt.empty();
    }

    private String scrape() {
        if (killed || !process.isAlive()) return null;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).timeout(SCRAPE_TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** SIGKILL: no shutdown hook runs, so the worker neither settles its messages nor leaves the bucket. */
    void kill() throws InterruptedException {
        killed = true;
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Its output so far. */
    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Stops it (SIGTERM, then SIGKILL after 20 s) and deletes its log. */
    @Override
    public void close() throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }
}
