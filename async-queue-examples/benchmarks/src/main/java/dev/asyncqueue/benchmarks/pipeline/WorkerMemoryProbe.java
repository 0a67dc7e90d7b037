package dev.asyncqueue.benchmarks.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A queue-worker in its own JVM ({@code dev.asyncqueue.examples.QueueWorkerApp} from this class path, configured
 * by environment variables), whose live heap is the total of {@code jcmd <pid> GC.class_histogram} and whose
 * resident set is {@code VmRSS} from {@code /proc/<pid>/status}.
 */
final class WorkerMemoryProbe implements AutoCloseable {
    private static final Pattern LIVE_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    private final Process process;
    private final Path log;

    private WorkerMemoryProbe(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the worker JVM with these JVM options and environment. */
    static WorkerMemoryProbe start(List<String> jvmOptions, Map<String, String> environment, Path log) throws IOException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.asyncqueue.examples.QueueWorkerApp"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        builder.environment().putAll(environment);
        return new WorkerMemoryProbe(builder.start(), log);
    }

    /** The worker's process id. */
    long pid() {
        return process.pid();
    }

    /** Whether it still runs. */
    boolean alive() {
        return process.isAlive();
    }

    /** The worker's log so far. */
    String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The bytes of objects alive after a full GC, in KiB, in one step: the live class histogram collects first and
     * counts what survived. One command, because a collection and a separate reading would also count what the
     * worker allocated between the two.
     */
    OptionalLong heapAfterGcKib() throws IOException, InterruptedException {
        OptionalLong bytes = firstNumber(LIVE_TOTAL, jcmd("GC.class_histogram"));
        return bytes.isPresent() ? OptionalLong.of(bytes.getAsLong() / 1024) : bytes;
    }

    /** The worker's resident set, in KiB. */
    OptionalLong rssKib() {
        try {
            return firstNumber(RSS, Files.readString(Path.of("/proc", Long.toString(pid()), "status")));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    static OptionalLong firstNumber(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(Files.isExecutable(jcmd) ? jcmd.toString() : "jcmd", Long.toString(pid()), command)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        return out;
    }

    /** Stops the worker (SIGTERM, then SIGKILL after 20 s). */
    @Override
    public void close() {
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
    }
}
