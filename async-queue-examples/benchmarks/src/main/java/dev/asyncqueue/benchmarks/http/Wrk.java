package dev.asyncqueue.benchmarks.http;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The function server's ceiling: {@code wrk} (one thread, the same connections and POST body as the Java
 * clients) straight at it. Its CPU is read from this JVM's reaped-children time in {@code /proc/self/stat},
 * since {@code wrk} is a child that has ended when it is read.
 */
public final class Wrk {
    private static final Pattern DONE = Pattern.compile("(\\d+) requests in ([\\d.]+)(us|ms|s|m)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: (.*)");
    // Asked once, before any reading: the getconf process is a reaped child too.
    private static final long CLOCK_TICKS_PER_SECOND = clockTicksPerSecond();

    private Wrk() {
    }

    /** The {@code wrk} on the PATH. */
    public static Optional<Path> find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "wrk");
            if (Files.isExecutable(candidate)) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    /** {@code wrk -v}'s first line, e.g. {@code wrk 4.1.0 [epoll]}. */
    public static String version(Path wrk) {
        try {
            Process p = new ProcessBuilder(wrk.toString(), "-v").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            String first = out.lines().findFirst().orElse("unknown");
            int copyright = first.indexOf(" Copyright");
            return copyright > 0 ? first.substring(0, copyright) : first;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** One run of {@code duration} with {@code connections} connections; fails when a call was not answered 200. */
    public static Run run(Path wrk, Path script, URI url, int connections, Duration duration, int bodyBytes,
                   FunctionServer server) throws IOException, InterruptedException {
        Duration serverCpu = server.cpu();
        Load load = load(wrk, script, url, connections, duration, bodyBytes);
        long serverNanos = server.cpu().minus(serverCpu).toNanos();
        return new Run(load.calls(), load.wallNanos(), load.wrkNanos(), serverNanos);
    }

    /**
     * What one {@code wrk} run measured: calls answered, the wall time {@code wrk} reports, and {@code wrk}'s own
     * CPU time.
     */
    public record Load(long calls, long wallNanos, long wrkNanos) {
    }

    /**
     * One run of {@code duration} with {@code connections} connections posting {@code bodyBytes} through {@code
     * script}; fails when {@code wrk} fails or a call was not answered 2xx, or a socket failed.
     */
    public static Load load(Path wrk, Path script, URI url, int connections, Duration duration, int bodyBytes)
            throws IOException, InterruptedException {
        long children = reapedChildrenNanos();
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
        long wrkNanos = reapedChildrenNanos() - children;
        Matcher done = DONE.matcher(out);
        if (!done.find()) throw new IOException("unexpected wrk output:\n" + out);
        Matcher non2xx = NON_2XX.matcher(out);
        Matcher socketErrors = SOCKET_ERRORS.matcher(out);
        if (non2xx.find() || socketErrors.find()) throw new IOException("wrk saw failed calls at " + url + ":\n" + out);
        double amount = Double.parseDouble(done.group(2));
        long wallNanos = (long) (amount * switch (done.group(3)) {
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "m" -> 60e9;
            default -> 1e9;
        });
        return new Load(Long.parseLong(done.group(1)), wallNanos, wrkNanos);
    }

    /** CPU time of this JVM's children that have ended and been waited for ({@code cutime + cstime}). */
    static long reapedChildrenNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is field 3 of proc(5), so cutime (16) and cstime (17) are at 13 and 14.
        long ticks = Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
        return ticks * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
    }

    private static long clockTicksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) ? Long.parseLong(out) : 100;
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
