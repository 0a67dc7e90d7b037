package dev.asyncqueue.nats.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A test fixture: a {@code nats-server} process with JetStream on loopback, started from the PATH, that
 * every NATS test runs against. It can be stopped, killed and restarted on the same port and store, to
 * test what survives. Other modules' tests reach it through this module's test-jar.
 */
public final class LocalNatsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalNatsServer.class);
    /** How to get the server on Debian, for error messages. */
    public static final String INSTALL_HINT = "install it with: apt-get update && apt-get install -y nats-server";

    private final String executable;
    private final int port;
    private final Path storeDir;
    private final boolean ownsStore;
    private final List<String> extraArgs;
    private final Path logFile;
    private Process process;

    private LocalNatsServer(Builder b) throws IOException {
        this.executable = b.executable;
        this.port = b.port == 0 ? freePort() : b.port;
        this.ownsStore = b.storeDir == null;
        this.storeDir = b.storeDir != null ? b.storeDir : Files.createTempDirectory("async-queue-nats-");
        this.extraArgs = List.copyOf(b.extraArgs);
        this.logFile = storeDir.resolve("nats-server-" + port + ".log");
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
        return isInstalled("nats-server");
    }

    private static boolean isInstalled(String executable) {
        try {
            Process p = new ProcessBuilder(executable, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code nats://127.0.0.1:<port>} */
    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    /** The client port. */
    public int port() {
        return port;
    }

    /** Where JetStream keeps its files. */
    public Path storeDir() {
        return storeDir;
    }

    /** The server's own log. */
    public Path logFile() {
        return logFile;
    }

    /** The server's process id, for tests that signal it (e.g. SIGSTOP to freeze it); -1 when not running. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Whether the process runs. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Launches the process and waits until it accepts connections. */
    public synchronized void launch() throws IOException {
        if (isRunning()) return;
        List<String> command = new ArrayList<>(List.of(executable, "-js", "-a", "127.0.0.1", "-p",
                Integer.toString(port), "-sd", storeDir.toString()));
        command.addAll(extraArgs);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IOException("cannot run '" + executable + "' (" + e.getMessage() + "); " + INSTALL_HINT, e);
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
        waitForExit();
    }

    /** Kills the server at once (SIGKILL), keeping its store: a crash. */
    public synchronized void kill() {
        if (process == null) return;
        process.destroyForcibly();
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

    /** Stops the server and deletes a store it created. */
    @Override
    public synchronized void close() {
        stop();
        if (ownsStore) {
            try (Stream<Path> files = Files.walk(storeDir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            } catch (IOException e) {
                log.debug("could not delete {}: {}", storeDir, e.toString());
            }
        }
    }

    /** A free TCP port on loopback. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** Configures a {@link LocalNatsServer}. */
    public static final class Builder {
        private String executable = "nats-server";
        private int port;
        private Path storeDir;
        private final List<String> extraArgs = new ArrayList<>();

        private Builder() {
        }

        /** The executable (default {@code nats-server} from the PATH). */
        public Builder executable(String executable) { this.executable = executable; return this; }

        /** Client port; 0 (default) picks a free one. */
        public Builder port(int port) { this.port = port; return this; }

        /** JetStream store directory; by default a temporary one deleted on close. */
        public Builder storeDir(Path dir) { this.storeDir = dir; return this; }

        /** More command-line arguments (a config file, cluster routes, auth). */
        public Builder args(String... args) { this.extraArgs.addAll(List.of(args)); return this; }

        /** Creates and launches the server. */
        public LocalNatsServer start() throws IOException {
            LocalNatsServer server = new LocalNatsServer(this);
            server.launch();
            return server;
        }
    }
}
