package dev.asyncqueue.benchmarks.micro;

import dev.asyncqueue.benchmarks.Bench;
import dev.asyncqueue.benchmarks.Machine;
import dev.asyncqueue.nats.BenchmarkCodec;
import io.nats.client.Nats;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Runs the codec and limiter JMH benchmarks and writes their report, {@code MICROBENCHMARKS.md}. */
public final class MicroBenchmarks {
    private static final String USAGE = """
            bin/benchmark micro [--forks=1] [--warmup=3] [--iterations=5] [--docs=docs]
              JMH micro-benchmarks of the QueueRequest codec and the limiters, average time per operation;
              writes <docs>/MICROBENCHMARKS.md.
              --forks       JVM forks per benchmark (0 runs in this JVM, which JMH advises against)
              --warmup      warm-up iterations of 1 s per fork, not reported
              --iterations  measured iterations of 1 s per fork""";

    /** A benchmark method the report has a row for, and what it measures. */
    private record Case(Class<?> type, String method, String what) {
        String id() {
            return type.getName() + "." + method;
        }
    }

    private static final List<Case> CODEC = List.of(
            new Case(CodecBenchmark.class, "encode", "the codec's `encode`: invocation to QueueRequest JSON bytes"),
            new Case(CodecBenchmark.class, "decode", "the codec's `decode`: JSON bytes to a validated invocation"),
            new Case(CodecBenchmark.class, "jnatsParse", "baseline: jnats `JsonParser.parse` of the whole payload, body string included"),
            new Case(CodecBenchmark.class, "jnatsParseWithoutBody", "baseline: jnats `JsonParser.parse` of the payload with its body string emptied, which is what `decode` still parses"),
            new Case(CodecBenchmark.class, "base64Body", "baseline: `java.util.Base64` decoding of the body's base64 text alone"),
            new Case(CodecBenchmark.class, "parseThenBase64", "baseline: a plain jnats reader, `JsonParser.parse` of the whole payload, then base64 of the parsed body string; no validation, no invocation"));
    private static final List<Case> LIMITER = List.of(
            new Case(LimiterBenchmark.class, "adaptive", "`AdaptiveConcurrencyLimiter` (defaults): `tryAcquire`, then `release(SUCCESS)`"),
            new Case(LimiterBenchmark.class, "fixed", "`FixedConcurrencyLimiter` (limit " + LimiterBenchmark.FIXED_LIMIT + "): `tryAcquire`, then `release(SUCCESS)`"),
            new Case(LimiterBenchmark.class, "adaptiveContended", "the adaptive round trip from two threads on one limiter"),
            new Case(LimiterBenchmark.class, "fixedContended", "the fixed round trip from two threads on one limiter"));
    private static final List<Case> TRACING = List.of(
            new Case(TracingBenchmark.class, "none", "no tracing (`InvocationTracing.NONE`, the default): one attempt's steps"),
            new Case(TracingBenchmark.class, "noopRegistry", "`ObservationTracing` over `ObservationRegistry.NOOP`: one attempt's steps"),
            new Case(TracingBenchmark.class, "recordingRegistry", "`ObservationTracing` over a registry keeping every observation (`TestObservationRegistry`): one attempt's steps"));

    private MicroBenchmarks() {
    }

    /** Runs the benchmarks with {@code --name=value} options (see {@code --help}) and prints the report. */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = Bench.arguments(args, USAGE);
        for (String name : o.keySet()) {
            if (!List.of("forks", "warmup", "iterations", "docs").contains(name)) {
                System.err.println("unexpected argument '--" + name + "'\n" + USAGE);
                System.exit(2);
            }
        }
        int forks = count(o, "forks", 1, 0);
        int warmup = count(o, "warmup", 3, 0);
        int iterations = count(o, "iterations", 5, 1);
        Path docs = Path.of(o.getOrDefault("docs", "docs"));
        Machine machine = Machine.current();
        Instant started = Instant.now();
        Options jmh = new OptionsBuilder()
                .include("^" + Pattern.quote(CodecBenchmark.class.getName()) + "\\.")
                .include("^" + Pattern.quote(LimiterBenchmark.class.getName()) + "\\.")
                .include("^" + Pattern.quote(TracingBenchmark.class.getName()) + "\\.")
                .forks(forks)
                .warmupIterations(warmup)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.seconds(1))
                // The benchmarks' jar carries two SLF4J providers; naming one keeps the forks from warning about it, and
                // SLF4J's own notice of that choice out of JMH's iteration lines.
                .jvmArgsAppend("-Dslf4j.provider=" + System.getProperty("slf4j.provider", "org.slf4j.simple.SimpleServiceProvider"),
                        "-Dslf4j.internal.verbosity=WARN")
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(jmh).run();
        Duration took = Duration.between(started, Instant.now());
        String report = markdown(results, machine, started, took, String.join(" ", args));
        Files.createDirectories(docs);
        Path md = docs.resolve("MICROBENCHMARKS.md");
        Files.writeString(md, report);
        System.out.println(report);
        System.out.println("wrote " + md.toAbsolutePath());
    }

    static String markdown(Collection<RunResult> results, Machine machine, Instant started, Duration took,
                           String arguments) {
        Map<String, RunResult> byId = new LinkedHashMap<>();
        for (RunResult r : results) byId.put(r.getParams().getBenchmark(), r);
        BenchmarkParams params = results.iterator().next().getParams();
        String command = "bin/benchmark micro" + (arguments.isBlank() ? "" : " " + arguments);
        List<String> out = new ArrayList<>();
        out.add("# Micro-benchmarks: the codec, the limiters and tracing");
        out.add("");
        out.add("Generated by `" + command + "` (`" + MicroBenchmarks.class.getName() + "`) on "
                + started.truncatedTo(ChronoUnit.SECONDS) + " in " + took.toSeconds()
                + " s. Do not edit by hand: run the command again.");
        out.add("");
        out.add("JMH " + params.getJmhVersion() + ", average time per operation, " + params.getForks() + " fork(s), "
                + params.getWarmup().getCount() + " warm-up iteration(s) of " + params.getWarmup().getTime() + " (not reported), "
                + params.getMeasurement().getCount() + " measured iteration(s) of " + params.getMeasurement().getTime()
                + " each. The error is JMH's 99.9 % confidence half-width (n/a when too few iterations to compute one). "
                + "Each benchmark returns its result to JMH, so none is optimised away.");
        out.add("");
        out.add("## Codec");
        out.add("");
        out.add("The pipeline benchmark's invocation: function `" + CodecBenchmark.FUNCTION + "`, queue `"
                + CodecBenchmark.QUEUE + "`, call id `" + CodecBenchmark.QUEUE + "-<i>`, " + CodecBenchmark.BODY_BYTES
                + " random bytes of body (seed 7), so " + BenchmarkCodec.encode(CodecBenchmark.invocation(0)).length
                + " bytes of JSON. Each call takes the next of " + CodecBenchmark.INVOCATIONS
                + " invocations (or their payloads), encoded before timing.");
        out.add("");
        table(out, CODEC, byId);
        out.add("");
        out.add(decodeShare(byId));
        out.add("");
        out.add("## Limiters");
        out.add("");
        out.add("One permit's round trip on a limiter made once per run; the contended rows report the average time "
                + "per operation of each of the two threads.");
        out.add("");
        table(out, LIMITER, byId);
        out.add("");
        out.add("## Tracing");
        out.add("");
        out.add("What tracing adds to one invocation attempt: the attempt's step continuing the queued message's "
                + "trace, the function call's step, the invocation carrying its context, both ended.");
        out.add("");
        table(out, TRACING, byId);
        List<Case> others = new ArrayList<>();
        for (String id : byId.keySet()) {
            if (CODEC.stream().noneMatch(c -> c.id().equals(id)) && LIMITER.stream().noneMatch(c -> c.id().equals(id))
                    && TRACING.stream().noneMatch(c -> c.id().equals(id))) {
                int dot = id.lastIndexOf('.');
                others.add(new Case(MicroBenchmarks.class, id.substring(dot + 1), "(`" + id + "`, not described)"));
            }
        }
        if (!others.isEmpty()) {
            out.add("");
            out.add("## Other");
            out.add("");
            table(out, others, byId);
        }
        out.add("");
        out.add("## Machine and versions");
        out.add("");
        out.addAll(machine.markdown());
        out.add("- jnats: " + Nats.CLIENT_VERSION);
        out.add("- JMH: " + params.getJmhVersion() + ", benchmark JVM " + params.getJdkVersion() + " (" + params.getVmName()
                + " " + params.getVmVersion() + ")");
        out.add("");
        out.add("Nothing else is meant to run during the measurement; other load on these processors shows in the "
                + "scores and their errors.");
        out.add("");
        out.add("## Commands");
        out.add("");
        out.add("```sh");
        out.add(command + "          # this report");
        out.add("bin/benchmark micro --help");
        out.add("bin/benchmark micro --forks=1 --warmup=1 --iterations=2 --docs=/tmp/micro   # a quick, noisy check");
        out.add("```");
        out.add("");
        return String.join("\n", out);
    }

    private static void table(List<String> out, List<Case> cases, Map<String, RunResult> byId) {
        out.add("| benchmark | what it measures | threads | ns/op | ± ns/op |");
        out.add("|---|---|---:|---:|---:|");
        for (Case c : cases) {
            RunResult r = byId.get(c.id());
            String cells = r == null ? " - | not run | - |"
                    : " " + r.getParams().getThreads() + " | " + score(r.getPrimaryResult()) + " | "
                    + error(r.getPrimaryResult()) + " |";
            out.add("| `" + c.method() + "` | " + c.what() + " |" + cells);
        }
    }

    /** The decode sentence, from this run's scores only. */
    private static String decodeShare(Map<String, RunResult> byId) {
        Optional<Double> decode = nanos(byId, "decode");
        Optional<Double> parse = nanos(byId, "jnatsParse");
        Optional<Double> base64 = nanos(byId, "base64Body");
        Optional<Double> rest = nanos(byId, "jnatsParseWithoutBody");
        Optional<Double> floor = nanos(byId, "parseThenBase64");
        if (decode.isEmpty() || parse.isEmpty() || decode.get() <= 0) {
            return "The share of `decode` taken by the jnats parser is not computed: `decode` or `jnatsParse` did not run.";
        }
        StringBuilder s = new StringBuilder("In this run jnats' `JsonParser.parse` of the whole payload took ")
                .append(fmt(parse.get())).append(" ns/op, ").append(percent(parse.get() / decode.get()))
                .append(" of the codec's `decode` (").append(fmt(decode.get())).append(" ns/op)");
        rest.ifPresent(r -> s.append("; the parse of the payload without its body, which `decode` does, took ")
                .append(fmt(r)).append(" ns/op, ").append(percent(r / decode.get())).append(" of `decode`"));
        base64.ifPresent(b -> s.append("; base64 of the body alone took ").append(fmt(b)).append(" ns/op, ")
                .append(percent(b / decode.get())).append(" of `decode`"));
        floor.ifPresent(f -> s.append("; parse then base64 took ").append(fmt(f)).append(" ns/op, ")
                .append(percent(f / decode.get())).append(" of `decode`"));
        return s.append('.').toString();
    }

    private static Optional<Double> nanos(Map<String, RunResult> byId, String method) {
        return Optional.ofNullable(byId.get(CodecBenchmark.class.getName() + "." + method))
                .map(r -> r.getPrimaryResult().getScore());
    }

    private static String score(Result<?> result) {
        return requireNanos(result, fmt(result.getScore()));
    }

    private static String error(Result<?> result) {
        double error = result.getScoreError();
        return requireNanos(result, Double.isNaN(error) ? "n/a" : fmt(error));
    }

    private static String requireNanos(Result<?> result, String text) {
        // The benchmarks declare ns/op; another unit would make the column header wrong, so it is shown.
        return result.getScoreUnit().equals("ns/op") ? text : text + " " + result.getScoreUnit();
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f %%", share * 100);
    }

    /** {@code --name=value} arguments; {@code --help} prints the usage. */
    private static int count(Map<String, String> options, String name, int fallback, int min) {
        String raw = options.get(name);
        if (raw == null) return fallback;
        try {
            int value = Integer.parseInt(raw.trim());
            if (value >= min) return value;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        System.err.println("--" + name + " must be a whole number of at least " + min + ", got '" + raw + "'\n" + USAGE);
        System.exit(2);
        return fallback;
    }
}
