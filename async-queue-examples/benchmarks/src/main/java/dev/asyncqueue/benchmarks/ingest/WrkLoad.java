package dev.asyncqueue.benchmarks.ingest;

import dev.asyncqueue.benchmarks.Bench;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code wrk} (one thread, the given connections, a POST of a fixed body, {@code http-clients/post.lua}) against
 * an ingest in this JVM. A run fails unless every call was answered 2xx without socket errors. {@code wrk}'s
 * CPU is read from this JVM's reaped-children time in {@code /proc/self/stat}, since it has ended when it is read.
 */
final class WrkLoad {
    private static final Pattern DONE = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
    private static final Pattern FAILED = Pattern.compile("Non-2xx or 3xx responses: (\\d+)|Socket errors: (.*)");

    private final Path wrk;
    private final Path script;
    private final int bodyBytes;
    private final long ticksPerSecond;

    private WrkLoad(Path wrk, Path script, int bodyBytes, long ticksPerSecond) {
        this.wrk = wrk;
        this.script = script;
        this.bodyBytes = bodyBytes;
        this.ticksPerSecond = ticksPerSecond;
    }

    /** The {@code wrk} on the PATH with the POST script copied to {@code workDir}; empty without {@code wrk}. */
    static Optional<WrkLoad> find(Path workDir, int bodyBytes) throws IOException, InterruptedException {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "wrk");
            if (Files.isExecutable(candidate)) {
                Path script = workDir.resolve("post.lua");
                try (InputStream in = WrkLoad.class.getResourceAsStream("/http-clients/post.lua")) {
                    if (in == null) throw new IOException("missing resource http-clients/post.lua");
                    Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
                }
                return Optional.of(new WrkLoad(candidate, script, bodyBytes, clockTicks()));
            }
        }
        return Optional.empty();
    }

    /** {@code wrk -v}'s first line. */
    String version() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(wrk.toString(), "-v").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        String first = out.lines().findFirst().orElse("unknown");
        int copyright = first.indexOf(" Copyright");
        return copyright > 0 ? first.substring(0, copyright) : first;
    }

    /** One run of {@code duration} with {@code connections} connections at {@code url}. */
    LoadRun run(URI url, int connections, Duration duration) throws IOException, InterruptedException {
        long children = reapedChildrenNanos();
        Duration jvm = Bench.processCpu();
        Duration nats = Bench.natsServerCpu();
        ProcessBuilder builder = new ProcessBuilder(wrk.toString(), "-t1", "-c" + connections,
                "-d" + Math.max(1, duration.toSeconds()) + "s", "-s", script.toString(), url.toString())
                .redirectErrorStream(true);
        builder.environment().put("BODY_BYTES", Integer.toString(bodyBytes));
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException("wrk failed:\n" + out);
        }
        long jvmNanos = Bench.processCpu().minus(jvm).toNanos();
        long natsNanos = Bench.natsServerCpu().minus(nats).toNanos();
        long wrkNanos = reapedChildrenNanos() - children;
        Matcher done = DONE.matcher(out);
        if (!done.find()) throw new IOException("unexpected wrk output:\n" + out);
        if (FAILED.matcher(out).find()) throw new IOException("wrk saw failed calls at " + url + ":\n" + out);
        double amount = Double.parseDouble(done.group(2));
        long wallNanos = (long) (amount * switch (done.group(3)) {
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "m" -> 60e9;
            default -> 1e9;
        });
        return new LoadRun(Long.parseLong(done.group(1)), wallNanos, jvmNanos, natsNanos, wrkNanos);
    }

    private long reapedChildrenNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is field 3 of proc(5), so cutime (16) and cstime (17) are at 13 and 14.
        long ticks = Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
        return ticks * (1_000_000_000L / ticksPerSecond);
    }

    private static long clockTicks() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.waitFor(10, TimeUnit.SECONDS) ? Long.parseLong(out) : 100;
    }
}
