package dev.asyncqueue.examples.localnats;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code nats-server} process with JetStream on loopback, started from the PATH: the example worker's
 * development default when no NATS is configured, and the server the examples' tests and the benchmarks
 * run against. It can be stopped, killed and launched again on the same port and store, so a test can
 * check what survives.
 */
public final class LocalNatsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalNatsServer.class);
    private static final String EXECUTABLE = "nats-server";
    /** How to get the server on Debian, for error messages. */
    public static final String INSTALL_HINT = "install it with: apt-get update && apt-get install -y nats-server";

    private final int port;
    private final Path storeDir;
    private final List<String> extraArgs;
    private final Path logFile;
    private Process process;
    private boolean frozen;

    private LocalNatsServer(int port, List<String> extraArgs) throws IOException {
        this.port = port == 0 ? freePort() : port;
        this.storeDir = Files.createTempDirectory("async-queue-nats-");
        this.extraArgs = List.copyOf(extraArgs);
        this.logFile = storeDir.resolve("nats-server-" + this.port + ".log");
    }

    /** Configures a server; {@link Builder#start()} launches it. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a server on a free port with a fresh temporary store. */
    public static LocalNatsServer start() throws IOException {
        return builder().start();
    }

    /** Whether {@code nats-server} can be run from the PATH. */
    public static boolean isInstalled() {
        try {
            Process p = new ProcessBuilder(EXECUTABLE, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A free TCP port on loopback. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** {@code nats://127.0.0.1:<port>} */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** Where JetStream keeps its files: a temporary directory deleted on {@link #close()}. */
    public Path storeDir() {
        return storeDir;
    }

    /** Launches the process, unless it runs, and waits until it accepts connections. */
    public synchronized void launch() throws IOException {
        if (process != null && process.isAlive()) return;
        List<String> command = new ArrayList<>(List.of(EXECUTABLE, "-js", "-a", "127.0.0.1", "-p",
                Integer.toString(port), "-sd", storeDir.toString()));
        command.addAll(extraArgs);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IOException("cannot run '" + EXECUTABLE + "' (" + e.getMessage() + "); " + INSTALL_HINT, e);
        }
        awaitListening(Duration.ofSeconds(20));
        log.info("nats-server listening on {} (store {})", url(), storeDir);
    }

    private void awaitListening(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("nats-server exited with " + process.exitValue() + "; see " + logFile + ":\n"
                        + tail());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    process.waitFor(50, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for nats-server", e);
                }
            }
        }
        throw new IOException("nats-server did not listen on " + port + " within " + timeout + "; log:\n" + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Stops the server gracefully (SIGTERM), keeping its store. */
    public synchronized void stop() {
        if (process == null) return;
        process.destroy();
        // A stopped process holds the SIGTERM until it may run again.
        if (frozen) thaw();
        waitForExit();
    }

    /**
     * Freezes the server (SIGSTOP): its connections stay open and nothing is answered, as when a server
     * stalls on a full disk or a long pause. {@link #thaw()} lets it go on.
     */
    public synchronized void freeze() {
        signal("STOP");
        frozen = true;
    }

    /** Lets a frozen server run again (SIGCONT). */
    public synchronized void thaw() {
        signal("CONT");
        frozen = false;
    }

    private void signal(String name) {
        if (process == null) throw new IllegalStateException("nats-server on " + port + " is not running");
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill -" + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling nats-server", e);
        }
    }

    /** Kills the server at once (SIGKILL), keeping its store: a crash. */
    public synchronized void kill() {
        if (process == null) return;
        process.destroyForcibly();
        frozen = false;
        waitForExit();
    }

    /** Stops and launches again on the same port and store. */
    public synchronized void restart() throws IOException {
        stop();
        launch();
    }

    private void waitForExit() {
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Stops the server and deletes its store. */
    @Override
    public synchronized void close() {
        stop();
        try (Stream<Path> files = Files.walk(storeDir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            log.debug("could not delete {}: {}", storeDir, e.toString());
        }
    }

    /** Configures a {@link LocalNatsServer}. */
    public static final class Builder {
        private int port;
        private final List<String> extraArgs = new ArrayList<>();

        private Builder() {
        }

        /** Client port; 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** More command-line arguments (cluster routes, auth). */
        public Builder args(String... args) {
            this.extraArgs.addAll(List.of(args));
            return this;
        }

        /** Creates and launches the server. */
        public LocalNatsServer start() throws IOException {
            LocalNatsServer server = new LocalNatsServer(port, extraArgs);
            server.launch();
            return server;
        }
    }
}
