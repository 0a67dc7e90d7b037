package dev.asyncqueue.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The machine a benchmark ran on, for its report.
 *
 * @param processors  processors available to the JVM (what {@code nproc} prints)
 * @param cpu         CPU model from {@code /proc/cpuinfo}, or "unknown"
 * @param memory      total memory from {@code /proc/meminfo}, or "unknown"
 * @param os          operating system name, version and architecture
 * @param java        Java runtime version and VM
 * @param natsServer  {@code nats-server --version}, or "unknown"
 * @param revision    the source's git commit, noting uncommitted changes, or "unknown"
 */
public record Machine(int processors, String cpu, String memory, String os, String java, String natsServer,
                      String revision) {

    /** Describes this machine. */
    public static Machine current() {
        return new Machine(
                Runtime.getRuntime().availableProcessors(),
                procLine("/proc/cpuinfo", "model name").orElse("unknown"),
                procLine("/proc/meminfo", "MemTotal").map(Machine::gib).orElse("unknown"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.runtime.version", System.getProperty("java.version")) + " ("
                        + System.getProperty("java.vm.name") + ")",
                run("nats-server", "--version").map(v -> v.replaceFirst("^nats-server:\\s*", "")).orElse("unknown"),
                sourceRevision());
    }

    /** Markdown bullet lines. */
    public List<String> markdown() {
        return List.of(
                "- processors (`nproc`): " + processors,
                "- CPU: " + cpu,
                "- memory: " + memory,
                "- OS: " + os,
                "- Java: " + java,
                "- nats-server: " + natsServer,
                "- source: " + revision);
    }

    private static Optional<String> procLine(String file, String key) {
        try {
            for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
                if (line.startsWith(key)) {
                    int colon = line.indexOf(':');
                    if (colon > 0) return Optional.of(line.substring(colon + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String gib(String memTotal) {
        try {
            long kib = Long.parseLong(memTotal.replace("kB", "").trim());
            return String.format("%.1f GiB", kib / 1024.0 / 1024.0);
        } catch (NumberFormatException e) {
            return memTotal;
        }
    }

    private static String sourceRevision() {
        Optional<String> commit = run("git", "rev-parse", "--short", "HEAD");
        if (commit.isEmpty()) return "unknown";
        boolean changed = run("git", "status", "--porcelain").map(out -> !out.isBlank()).orElse(false);
        return "git commit " + commit.get() + (changed ? " with uncommitted changes in the working tree" : "");
    }

    /** A command's output when it exits 0 within 10 s. */
    private static Optional<String> run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
