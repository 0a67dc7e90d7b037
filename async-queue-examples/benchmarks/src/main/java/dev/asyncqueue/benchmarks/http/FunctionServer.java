package dev.asyncqueue.benchmarks.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The function every client calls: a minimal Node.js HTTP server ({@code http-clients/function-server.js})
 * in a process of its own, so its CPU is apart from the client's and measured on its own.
 */
public final class FunctionServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private FunctionServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts {@code node} on a free loopback port. */
    public static FunctionServer start(Path workDir) throws IOException {
        Path script = extract("function-server.js", workDir);
        Process process = new ProcessBuilder("node", script.toString(), "0")
                .redirectError(workDir.resolve("function-server.log").toFile())
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("listening ")) {
            process.destroyForcibly();
            throw new IOException("the Node.js function server did not start (see " + workDir.resolve("function-server.log") + ")");
        }
        return new FunctionServer(process, Integer.parseInt(line.substring("listening ".length()).trim()));
    }

    /** Copies a resource of this harness to a file, for a process outside the JVM to read. */
    public static Path extract(String resource, Path dir) throws IOException {
        Path file = dir.resolve(resource);
        try (InputStream in = FunctionServer.class.getResourceAsStream("/http-clients/" + resource)) {
            if (in == null) throw new IOException("missing resource http-clients/" + resource);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    /** The function's URL. */
    public URI url() {
        return Candidate.function(gateway());
    }

    /** The gateway the library's invoker is given: the function is {@code bench} under it. */
    public URI gateway() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** CPU time the server has used so far. */
    public Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Requests the server has received so far (its {@code GET /count}). */
    public long count() throws IOException {
        HttpURLConnection c = (HttpURLConnection) gateway().resolve("/count").toURL().openConnection();
        try (InputStream in = c.getInputStream()) {
            return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        } finally {
            c.disconnect();
        }
    }

    /** {@code node --version}. */
    public static String nodeVersion() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? v : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
