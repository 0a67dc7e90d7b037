package dev.asyncqueue.benchmarks.http;

import dev.asyncqueue.benchmarks.Bench;
import dev.asyncqueue.benchmarks.MarkedSection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The HTTP client comparison: each client alone in a plain loop that does nothing but HTTP, against one
 * Node.js function server in another process, at the same calls at once and with the same bodies, the
 * clients taking turns in every repetition so drift hits them alike; {@code wrk} measures the server's own
 * ceiling in the same turns. Writes {@code HTTP-CLIENTS.md} and its section of {@code BENCHMARKS.md}.
 *
 * <p>Run it with {@code bin/benchmark http [--name=value ...]}; {@code --help} lists the options.
 */
public final class ClientComparison {
    static {
        Bench.configureLogging();
    }

    private static final String ALL = Candidate.all().stream().map(Candidate::name).collect(Collectors.joining(","))
            + "," + Candidate.WRK;
    private static final String USAGE = """
            usage: ClientComparison [--calls=20000] [--concurrency=8,50] [--repeats=5] [--warmup-seconds=3]
                                    [--body-bytes=512] [--wrk-seconds=5] [--clients=%s]
                                    [--docs=docs] [--dry-run=false]
            Runs every client after a warm-up, --repeats times in turn, at each level of calls at once;
            writes <docs>/HTTP-CLIENTS.md and its section of <docs>/BENCHMARKS.md. --dry-run=true measures
            nothing and writes the reports with their tables marked as still to be measured.""".formatted(ALL);

    private ClientComparison() {
    }

    /** Runs the comparison and writes the reports; arguments as in {@code --help}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = Bench.arguments(args, USAGE);
        ComparisonSetup setup = new ComparisonSetup(
                Integer.parseInt(o.getOrDefault("calls", "20000")),
                Arrays.stream(o.getOrDefault("concurrency", "8,50").split(",")).map(String::trim).map(Integer::parseInt).toList(),
                Integer.parseInt(o.getOrDefault("repeats", "5")),
                Integer.parseInt(o.getOrDefault("warmup-seconds", "3")),
                Integer.parseInt(o.getOrDefault("body-bytes", "512")),
                Integer.parseInt(o.getOrDefault("wrk-seconds", "5")),
                Arrays.stream(o.getOrDefault("clients", ALL).split(",")).map(String::trim).toList());
        boolean dryRun = Boolean.parseBoolean(o.getOrDefault("dry-run", "false"));
        Path docs = Path.of(o.getOrDefault("docs", "docs"));
        Instant started = Instant.now();
        Path work = Files.createTempDirectory("http-clients");
        Optional<Path> wrk = setup.clients().contains(Candidate.WRK) ? Wrk.find() : Optional.empty();
        if (setup.clients().contains(Candidate.WRK) && wrk.isEmpty() && !dryRun) {
            System.err.println("wrk is not on the PATH (bin/install-wrk installs it): the server's ceiling is left out");
        }
        List<Level> levels = new ArrayList<>();
        if (!dryRun) {
            try (FunctionServer server = FunctionServer.start(work)) {
                for (int concurrency : setup.concurrency()) {
                    levels.add(runLevel(setup, concurrency, server, wrk, work));
                }
            }
        }
        ClientReport report = new ClientReport(setup, ClientJars.resolved(), started, Duration.between(started, Instant.now()),
                String.join(" ", Arrays.stream(args).filter(a -> !a.startsWith("--docs=")).toList()),
                FunctionServer.nodeVersion(), wrk.map(Wrk::version).orElse("not installed"), levels);
        Files.createDirectories(docs);
        Path clientsMd = docs.resolve("HTTP-CLIENTS.md");
        Files.writeString(clientsMd, report.markdown());
        Path benchmarksMd = docs.resolve("BENCHMARKS.md");
        String benchmarks = Files.exists(benchmarksMd) ? Files.readString(benchmarksMd) : "";
        Files.writeString(benchmarksMd, MarkedSection.replace(benchmarks, report.section()));
        System.out.println(report.markdown());
        System.out.println("wrote " + clientsMd.toAbsolutePath() + " and the HTTP client section of " + benchmarksMd.toAbsolutePath());
        System.exit(0);
    }

    /** One client or the load generator as the repetitions run them. */
    private interface Side extends AutoCloseable {
        String name();

        void warm(Duration atLeast) throws Exception;

        Run measure() throws Exception;

        @Override
        void close() throws Exception;
    }

    private static Level runLevel(ComparisonSetup setup, int concurrency, FunctionServer server, Optional<Path> wrk,
                                  Path work) throws Exception {
        byte[] body = "x".repeat(setup.bodyBytes()).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        List<Side> sides = new ArrayList<>();
        try {
            for (Candidate candidate : Candidate.all()) {
                if (setup.clients().contains(candidate.name())) {
                    sides.add(loopSide(candidate.name(), candidate.loop().open(server.gateway(), concurrency, body), setup.calls(), server));
                }
            }
            if (wrk.isPresent()) {
                Path script = FunctionServer.extract("post.lua", work);
                sides.add(wrkSide(wrk.get(), script, server, concurrency, setup));
            }
            for (Side side : sides) {
                log("%d at once: warming up %s", concurrency, side.name());
                side.warm(Duration.ofSeconds(setup.warmupSeconds()));
            }
            Map<String, List<Run>> runs = new LinkedHashMap<>();
            for (Side side : sides) runs.put(side.name(), new ArrayList<>());
            for (int repetition = 0; repetition < setup.repeats(); repetition++) {
                // Each repetition starts one client later, so no client always runs first or after the same one.
                List<Side> order = new ArrayList<>(sides);
                Collections.rotate(order, -repetition);
                for (Side side : order) {
                    System.gc();
                    Run run = side.measure();
                    runs.get(side.name()).add(run);
                    log("%d at once, repetition %d: %-15s %,10.0f calls/s, client %6.1f µs/call, server %6.1f µs/call",
                            concurrency, repetition + 1, side.name(), run.rate(), run.clientMicrosPerCall(),
                            run.serverMicrosPerCall());
                }
            }
            return new Level(concurrency, runs);
        } finally {
            for (Side side : sides) side.close();
        }
    }

    private static Side loopSide(String name, HttpLoop loop, int calls, FunctionServer server) {
        return new Side() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void warm(Duration atLeast) throws Exception {
                long until = System.nanoTime() + atLeast.toNanos();
                do {
                    loop.run(Math.min(calls, 2_000));
                } while (System.nanoTime() < until);
            }

            @Override
            public Run measure() throws Exception {
                Duration cpu = Bench.processCpu();
                Duration serverCpu = server.cpu();
                long start = System.nanoTime();
                loop.run(calls);
                long wall = System.nanoTime() - start;
                return new Run(calls, wall, Bench.processCpu().minus(cpu).toNanos(), server.cpu().minus(serverCpu).toNanos());
            }

            @Override
            public void close() throws Exception {
                loop.close();
            }
        };
    }

    private static Side wrkSide(Path wrk, Path script, FunctionServer server, int concurrency, ComparisonSetup setup) {
        return new Side() {
            @Override
            public String name() {
                return Candidate.WRK;
            }

            @Override
            public void warm(Duration atLeast) throws Exception {
                Wrk.run(wrk, script, server.url(), concurrency, atLeast, setup.bodyBytes(), server);
            }

            @Override
            public Run measure() throws Exception {
                return Wrk.run(wrk, script, server.url(), concurrency, Duration.ofSeconds(setup.wrkSeconds()),
                        setup.bodyBytes(), server);
            }

            @Override
            public void close() {
            }
        };
    }

    private static void log(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
