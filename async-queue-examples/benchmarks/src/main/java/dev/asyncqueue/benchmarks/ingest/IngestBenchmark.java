package dev.asyncqueue.benchmarks.ingest;

import dev.asyncqueue.benchmarks.Bench;
import dev.asyncqueue.benchmarks.Machine;
import dev.asyncqueue.examples.QueueWorkerApp;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.Subjects;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ingest server comparison: the same bare ingest (read the body, {@code publishAsync} it with a
 * {@code Nats-Msg-Id}, answer 202 on the ack) on each candidate HTTP server, the same servers answering 202
 * without publishing (their own ceiling), and the example app's real ingest ({@code role=ingest}, status off),
 * all in this JVM on one nats-server, loaded in turn by {@code wrk} in every repetition. Writes
 * {@code INGEST-SERVERS.md}.
 *
 * <p>Run it with {@code bin/benchmark ingest [--name=value ...]}; {@code --help} lists the options.
 */
public final class IngestBenchmark {
    static {
        Bench.configureLogging();
        Bench.jdkServersWithoutNagle();
    }

    private static final String FUNCTION = "bench";
    private static final String USAGE = """
            usage: IngestBenchmark [--connections=16,64] [--repeats=3] [--seconds=5] [--warmup-seconds=4]
                                   [--body-bytes=512] [--servers=jdk,jetty,netty] [--docs=docs]
            Loads each ingest with wrk after a warm-up, --repeats times in turn, at each number of connections;
            writes <docs>/INGEST-SERVERS.md.""";

    private IngestBenchmark() {
    }

    /** Runs the comparison and writes the report; arguments as in {@code --help}. */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = Bench.arguments(args, USAGE);
        List<Integer> connections = Arrays.stream(o.getOrDefault("connections", "16,64").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        int repeats = Integer.parseInt(o.getOrDefault("repeats", "3"));
        Duration seconds = Duration.ofSeconds(Integer.parseInt(o.getOrDefault("seconds", "5")));
        Duration warmup = Duration.ofSeconds(Integer.parseInt(o.getOrDefault("warmup-seconds", "4")));
        int bodyBytes = Integer.parseInt(o.getOrDefault("body-bytes", "512"));
        List<String> servers = Arrays.stream(o.getOrDefault("servers", "jdk,jetty,netty").split(",")).map(String::trim).toList();
        Path docs = Path.of(o.getOrDefault("docs", "docs"));
        Instant started = Instant.now();
        Machine machine = Machine.current();
        Path work = Files.createTempDirectory("ingest-servers");
        WrkLoad wrk = WrkLoad.find(work, bodyBytes).orElseThrow(
                () -> new IllegalStateException("wrk is not on the PATH (bin/install-http-benchmark-tools installs it)"));
        List<ConnectionLevel> levels = new ArrayList<>();
        List<AutoCloseable> open = new ArrayList<>();
        try (LocalNatsServer nats = LocalNatsServer.start();
             Connection connection = Bench.connect(nats.url())) {
            List<IngestSide> sides = new ArrayList<>();
            Map<String, String> settings = new HashMap<>();
            settings.put("nats_url", nats.url());
            settings.put("queue_name", "ingest-app");
            settings.put("role", "ingest");
            settings.put("status_enabled", "false");
            settings.put("dead_letter_enabled", "false");
            settings.put("port", "0");
            settings.put("metrics_port", "0");
            QueueWorkerApp app = QueueWorkerApp.start(settings);
            open.add(app);
            sides.add(new IngestSide("app", "app", true,
                    URI.create("http://127.0.0.1:" + app.ingestPort() + "/async-function/" + FUNCTION),
                    Subjects.streamName("ingest-app")));
            JetStreamQueue raw = JetStreamQueue.builder(connection).queue("ingest-raw").deadLetters(false).build();
            JetStreamPublish publish = new JetStreamPublish(connection.jetStream(), Subjects.forFunction(raw.name(), FUNCTION),
                    raw.streamName());
            for (String server : servers) {
                BareServer publishing = BareServer.start(server, publish);
                open.add(publishing);
                sides.add(new IngestSide(server, server, true, url(publishing), raw.streamName()));
            }
            for (String server : servers) {
                BareServer answering = BareServer.start(server, BareServer.Action.ANSWER_ONLY);
                open.add(answering);
                sides.add(new IngestSide(server + "-202", server, false, url(answering), ""));
            }
            JetStreamManagement jsm = connection.jetStreamManagement();
            for (int level : connections) levels.add(runLevel(level, sides, wrk, repeats, seconds, warmup, jsm));
        } finally {
            Collections.reverse(open);
            for (AutoCloseable c : open) c.close();
        }
        Path md = docs.resolve("INGEST-SERVERS.md");
        String previous = Files.exists(md) ? Files.readString(md) : "";
        IngestReport report = new IngestReport(machine, started, Duration.between(started, Instant.now()),
                String.join(" ", Arrays.stream(args).filter(a -> !a.startsWith("--docs=")).toList()), wrk.version(),
                repeats, seconds, warmup, bodyBytes, servers, levels, IngestJars.resolved());
        Files.createDirectories(docs);
        Files.writeString(md, report.markdown(previous));
        System.out.println(report.markdown(previous));
        System.out.println("wrote " + md.toAbsolutePath());
        System.exit(0);
    }

    private static URI url(BareServer server) {
        return URI.create("http://127.0.0.1:" + server.port() + "/async-function/" + FUNCTION);
    }

    private static ConnectionLevel runLevel(int connections, List<IngestSide> sides, WrkLoad wrk, int repeats,
                                            Duration seconds, Duration warmup, JetStreamManagement jsm) throws Exception {
        for (IngestSide side : sides) {
            log("%d connections: warming up %s", connections, side.name());
            wrk.run(side.url(), connections, warmup);
            purge(jsm, side);
        }
        Map<String, List<LoadRun>> runs = new LinkedHashMap<>();
        for (IngestSide side : sides) runs.put(side.name(), new ArrayList<>());
        for (int repetition = 0; repetition < repeats; repetition++) {
            // Each repetition starts one ingest later, so none always runs first or after the same one.
            List<IngestSide> order = new ArrayList<>(sides);
            Collections.rotate(order, -repetition);
            for (IngestSide side : order) {
                System.gc();
                LoadRun run = wrk.run(side.url(), connections, seconds);
                purge(jsm, side);
                runs.get(side.name()).add(run);
                log("%d connections, repetition %d: %-10s %,9.0f calls/s, JVM %6.1f µs/call, nats %6.1f µs/call,"
                        + " wrk %5.1f µs/call", connections, repetition + 1, side.name(), run.rate(), run.jvmMicros(),
                        run.natsMicros(), run.wrkMicros());
            }
        }
        return new ConnectionLevel(connections, sides, runs);
    }

    /** Empties the side's stream, so every run starts on the same, empty stream. */
    private static void purge(JetStreamManagement jsm, IngestSide side) throws Exception {
        if (!side.stream().isEmpty()) jsm.purgeStream(side.stream());
    }

    private static void log(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args));
    }
}
