package dev.asyncqueue.benchmarks.pipeline;

import dev.asyncqueue.benchmarks.Bench;
import dev.asyncqueue.benchmarks.Machine;
import dev.asyncqueue.benchmarks.MarkedSection;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import io.nats.client.Connection;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pipeline benchmark: the library's enqueue, dispatch and end-to-end pipeline against the raw jnats floor on
 * the same nats-server in the same run, idle-queue latency, and a worker's memory while draining a small and a
 * large backlog; writes {@code BENCHMARKS.md} and {@code benchmarks.png} into the docs directory. Each case is
 * a class of its own ({@code EnqueueCase}, {@code DispatchCase}, {@code EndToEndCase}, {@code LatencyCase},
 * {@code MemoryCase}); this class configures and runs them and writes the report.
 *
 * <p>Run it with {@code bin/benchmark pipeline [--name=value ...]}; {@code --help} lists the options.
 */
public final class PipelineBenchmark {
    static {
        // slf4j-simple, not the examples' line logger (which knows one global level only), so that Bench's
        // per-logger levels apply: the worker's per-call INFO lines would otherwise be measured too.
        Bench.configureLogging();
        Bench.jdkServersWithoutNagle();
    }

    private static final String USAGE = """
            usage: PipelineBenchmark [--n=50000] [--http-n=10000] [--repeats=5] [--warmup=10000] [--warmup-seconds=8]
                                     [--window=256]
                                     [--http-window=50] [--max-inflight=50] [--latency-calls=1000]
                                     [--memory-small=10000] [--memory-large=1000000] [--memory-seconds=60]
                                     [--memory-xmx=512m] [--docs=docs]
                                     [--cases=enqueue,dispatch,http,worker-http,worker-http-callbacks,
                                             worker-http-raw,latency,memory]
            (--cases: http runs end to end and the worker-http rows; endtoend runs end to end alone)
            Runs each case after a warm-up, --repeats times, the library and the raw jnats floor alternately;
            writes <docs>/BENCHMARKS.md and <docs>/benchmarks.png.""";

    private PipelineBenchmark() {
    }

    /** Runs the cases and writes the report; arguments as in {@code --help}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = Bench.arguments(args, USAGE);
        PipelineSetup setup = new PipelineSetup(
                Integer.parseInt(o.getOrDefault("n", "50000")),
                Integer.parseInt(o.getOrDefault("http-n", "10000")),
                Integer.parseInt(o.getOrDefault("repeats", "5")),
                Integer.parseInt(o.getOrDefault("warmup", "10000")),
                Integer.parseInt(o.getOrDefault("warmup-seconds", "8")),
                Integer.parseInt(o.getOrDefault("window", "256")),
                Integer.parseInt(o.getOrDefault("http-window", "50")),
                Integer.parseInt(o.getOrDefault("max-inflight", "50")),
                Integer.parseInt(o.getOrDefault("latency-calls", "1000")),
                Integer.parseInt(o.getOrDefault("memory-small", "10000")),
                Integer.parseInt(o.getOrDefault("memory-large", "1000000")),
                Integer.parseInt(o.getOrDefault("memory-seconds", "60")),
                o.getOrDefault("memory-xmx", "512m"),
                List.of(o.getOrDefault("cases", "enqueue,dispatch,http,worker-http,worker-http-callbacks,worker-http-raw,latency,memory")
                        .split(",")));
        Path docs = Path.of(o.getOrDefault("docs", "docs"));
        Machine machine = Machine.current();
        Instant started = Instant.now();
        List<ThroughputComparison> throughput = new ArrayList<>();
        LatencyResult latency = null;
        List<MemoryResult> memory = new ArrayList<>();
        try (LocalNatsServer nats = LocalNatsServer.start();
             Connection connection = Bench.connect(nats.url())) {
            PipelineStreams streams = new PipelineStreams(connection);
            SideBySide sides = new SideBySide(setup);
            if (setup.runs("enqueue")) throughput.addAll(new EnqueueCase(streams, setup).run(sides));
            if (setup.runs("dispatch")) throughput.addAll(new DispatchCase(streams, setup).run(sides));
            if (setup.runs("http") || setup.runs("endtoend")) {
                try (EndToEndCase endToEnd = new EndToEndCase(streams, setup)) {
                    throughput.addAll(endToEnd.run(sides));
                }
            }
            if (setup.runs(WorkerHttpCase.PLAIN) || setup.runs(WorkerHttpCase.CALLBACKS) || setup.runs(WorkerHttpCase.RAW)) {
                try (WorkerHttpCase workerHttp = new WorkerHttpCase(streams, setup)) {
                    throughput.addAll(workerHttp.run(sides));
                }
            }
            if (setup.runs("latency")) latency = new LatencyCase(streams, setup).run();
            if (setup.runs("memory")) memory.addAll(new MemoryCase(streams, setup, nats.url()).run());
        }
        Duration took = Duration.between(started, Instant.now());
        String report = PipelineReport.markdown(setup, machine, started, took, String.join(" ", args), throughput,
                latency, memory);
        Files.createDirectories(docs);
        Path md = docs.resolve("BENCHMARKS.md");
        // The HTTP client comparison (bin/benchmark http) keeps its own section of the file.
        report = MarkedSection.carryOver(Files.exists(md) ? Files.readString(md) : "", report);
        Files.writeString(md, report);
        if (!throughput.isEmpty()) PipelineReport.chart(throughput, docs.resolve("benchmarks.png"));
        System.out.println(report);
        System.out.println("wrote " + md.toAbsolutePath());
        System.exit(0);
    }
}
