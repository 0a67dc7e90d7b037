package dev.asyncqueue.benchmarks;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.nats.NatsConnections;
import io.nats.client.Connection;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Helpers the benchmark programs share: arguments, log levels, enqueueing, CPU time, formatting. */
public final class Bench {
    private Bench() {
    }

    /**
     * Quiets the per-call info logs of the worker and the NATS client unless already configured; must run
     * before the first logger is made, so callers do it in a static initialiser.
     */
    public static void configureLogging() {
        System.setProperty("java.awt.headless", "true");
        // The benchmarks' jar also carries the examples' line-logging provider, which reads only the default level:
        // slf4j-simple is chosen so the per-logger levels below keep per-call lines out of the measurement.
        setIfAbsent("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider");
        setIfAbsent("slf4j.internal.verbosity", "WARN"); // no plain-text "loading provider" line
        setIfAbsent("org.slf4j.simpleLogger.log.dev.asyncqueue.worker", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.io.nats", "warn");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    }

    /**
     * Turns Nagle's algorithm off for every JDK HTTP server this JVM starts from now on, unless configured: such a
     * server writes a response's headers and body separately, and with Nagle on the second write waits for the
     * client's delayed ACK, about 40 ms on Linux, on every exchange. Real function servers (Go's, Node's) set
     * {@code TCP_NODELAY}; a simulated function must too, or the stall is what gets measured. The JDK reads the
     * property once, when its first server starts, so callers do this in a static initialiser.
     */
    public static void jdkServersWithoutNagle() {
        setIfAbsent("sun.net.httpserver.nodelay", "true");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }

    /** {@code --name=value} arguments; {@code --help} prints {@code usage}, anything else malformed exits with 2. */
    public static Map<String, String> arguments(String[] args, String usage) {
        Map<String, String> parsed = new HashMap<>();
        for (String arg : args) {
            if (arg.equals("--help") || arg.equals("-h")) {
                System.out.println(usage);
                System.exit(0);
            }
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                System.err.println("unexpected argument '" + arg + "'\n" + usage);
                System.exit(2);
            }
            parsed.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return parsed;
    }

    /** A connection to {@code url} with the example worker's options (endless reconnects, errors to SLF4J). */
    public static Connection connect(String url) throws IOException {
        return NatsConnections.connect(NatsConnections.options(Settings.of(Map.of("nats_url", url)),
                "async-queue-bench", event -> { }).build());
    }

    /** Enqueues {@code count} invocations of {@code function} and waits until JetStream stored them all. */
    public static void enqueue(JetStreamQueue queue, String function, int count, Function<Integer, String> callId) {
        int chunk = 500;
        for (int from = 0; from < count; from += chunk) {
            List<CompletableFuture<?>> stored = new ArrayList<>(chunk);
            for (int i = from; i < Math.min(count, from + chunk); i++) {
                stored.add(queue.enqueue(Invocation.builder(function).queue(queue.name()).callId(callId.apply(i))
                        .body(("call " + i).getBytes()).build()).toCompletableFuture());
            }
            CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new)).join();
        }
    }

    /** CPU time of this JVM so far. */
    public static Duration processCpu() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return Duration.ofNanos(Math.max(0, sun.getProcessCpuTime()));
        }
        return Duration.ZERO;
    }

    /** CPU time so far of the nats-server processes this JVM started. */
    public static Duration natsServerCpu() {
        return ProcessHandle.current().children()
                .filter(p -> p.info().command().map(c -> c.endsWith("nats-server")).orElse(false))
                .map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO))
                .reduce(Duration.ZERO, Duration::plus);
    }

    /** CPU time of the live threads whose names start with {@code prefix}. */
    public static Duration threadCpu(String prefix) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long nanos = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix)) {
                long cpu = threads.getThreadCpuTime(t.getId());
                if (cpu > 0) nanos += cpu;
            }
        }
        return Duration.ofNanos(nanos);
    }

    /** Seconds with two decimals. */
    public static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9);
    }

    /** A share as a percentage with one decimal. */
    public static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f %%", share * 100);
    }

    /** The value at {@code quantile} of sorted nanosecond readings. */
    public static Duration quantile(long[] sortedNanos, double quantile) {
        if (sortedNanos.length == 0) return Duration.ZERO;
        int index = (int) Math.ceil(quantile * sortedNanos.length) - 1;
        return Duration.ofNanos(sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, index))]);
    }
}
