package dev.asyncqueue.examples;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import dev.asyncqueue.testing.RecordingHttpServer;
import dev.asyncqueue.testing.RecordingHttpServer.RecordedRequest;
import dev.asyncqueue.testing.RecordingHttpServer.Response;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults injected while invocations flow, on real nats-server processes: every enqueued call id must
 * reach the function at least once; duplicates are counted and reported (the "FIGURES" log lines feed
 * docs/RELIABILITY.md). Each test starts the servers it breaks.
 */
@Tag("fault")
class FaultToleranceTest {
    private static final Logger log = LoggerFactory.getLogger(FaultToleranceTest.class);
    private static final AtomicInteger QUEUES = new AtomicInteger();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", toClose.get(i), e.toString());
            }
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        toClose.add(resource);
        return resource;
    }

    private static String queueName(String prefix) {
        return prefix + "-" + QUEUES.incrementAndGet();
    }

    private QueueWorkerApp app(Map<String, String> settings) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of("port", "0", "metrics_port", "0", "ack_wait", "2s",
                "initial_retry_wait", "100ms", "max_retry_wait", "500ms", "shutdown_grace", "1s"));
        all.putAll(settings);
        return closeLater(QueueWorkerApp.start(all));
    }

    private static Connection connect(String urls) throws Exception {
        return Nats.connect(Options.builder().servers(urls.split(",")).connectionTimeout(Duration.ofSeconds(5))
                .maxReconnects(-1).reconnectWait(Duration.ofMillis(250)).build());
    }

    /**
     * Enqueues {@code count} calls in windows of 200, sending again (same call id, so the stream stores
     * it once) whatever was not confirmed, as a careful client does while the cluster elects a leader.
     */
    private static List<String> enqueue(JetStreamQueue queue, String prefix, int count, Duration timeout) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) ids.add(prefix + "-" + i);
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int from = 0; from < count; from += 200) {
            List<String> pending = new ArrayList<>(ids.subList(from, Math.min(count, from + 200)));
            Throwable lastError = null;
            while (!pending.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(pending.size() + " calls not stored within " + timeout, lastError);
                }
                Map<String, CompletableFuture<?>> receipts = new java.util.LinkedHashMap<>();
                for (String id : pending) {
                    receipts.put(id, queue.enqueue(Invocation.builder("work").queue(queue.name()).callId(id).build())
                            .toCompletableFuture());
                }
                List<String> failed = new ArrayList<>();
                for (Map.Entry<String, CompletableFuture<?>> receipt : receipts.entrySet()) {
                    try {
                        // A publish whose server died may never be confirmed: give it 5 s, then send it again.
                        receipt.getValue().get(5, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                             | java.util.concurrent.CancellationException e) {
                        failed.add(receipt.getKey());
                        lastError = e;
                    }
                }
                pending = failed;
                if (!pending.isEmpty()) TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        return ids;
    }

    private static void awaitAtLeast(CountingFunction function, int distinct, Duration timeout) throws InterruptedException {
        function.awaitDistinct(distinct, timeout);
    }

    private static void assertAllInvoked(CountingFunction function, List<String> ids) {
        List<String> lost = ids.stream().filter(id -> function.count(id) == 0).toList();
        assertEquals(List.of(), lost.size() > 20 ? lost.subList(0, 20) : lost, lost.size() + " call ids lost");
    }

    private static long stored(Connection connection, String stream) throws Exception {
        return connection.jetStreamManagement().getStreamInfo(stream).getStreamState().getMsgCount();
    }

    private static void awaitStreamEmpty(Connection connection, String stream, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (stored(connection, stream) == 0) return;
            } catch (Exception notYet) {
                // the server may still be electing a leader
            }
            if (System.nanoTime() > deadline) throw new AssertionError(stream + " not empty after " + timeout);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    @Test
    void aNatsServerRestartWithFileStorageKeepsTheBacklogAndTheWorkerResumesWithoutARestart() throws Exception {
        LocalNatsServer server = closeLater(LocalNatsServer.start());
        CountingFunction function = closeLater(new CountingFunction(Duration.ofMillis(20)));
        String queueName = queueName("restart");
        QueueWorkerApp app = app(Map.of("nats_url", server.url(), "queue_name", queueName, "role", "worker",
                "gateway_url", function.baseUrl().toString(), "max_inflight", "20", "nats_storage", "file"));
        Connection inspector = connect(server.url());
        closeLater(inspector::close);
        JetStreamQueue queue = JetStreamQueue.builder(inspector).queue(queueName).build();
        var worker = app.worker();

        List<String> ids = enqueue(queue, "r", 3000, Duration.ofSeconds(30));
        awaitAtLeast(function, 300, Duration.ofSeconds(30));
        long backlogBefore = stored(inspector, queue.streamName());
        server.restart();
        long restartedAt = System.nanoTime();
        long backlogAfter = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (backlogAfter < 0 && System.nanoTime() < deadline) {
            try {
                backlogAfter = stored(inspector, queue.streamName());
            } catch (Exception reconnecting) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
        }
        int distinctAtRestart = function.distinct();
        awaitAtLeast(function, distinctAtRestart + 1, Duration.ofSeconds(20));
        long resumedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
        function.awaitDistinct(ids.size(), Duration.ofSeconds(60));
        awaitStreamEmpty(inspector, queue.streamName(), Duration.ofSeconds(20));

        assertAllInvoked(function, ids);
        assertSame(worker, app.worker(), "the same worker carried on");
        assertTrue(backlogBefore > 1000 && backlogAfter > 1000,
                "the backlog was there before and after the restart: " + backlogBefore + " / " + backlogAfter);
        log.warn("FIGURES restart: enqueued {}, backlog before {} after {}, lost 0, duplicates {}, resumed {} ms after restart",
                ids.size(), backlogBefore, backlogAfter, function.duplicates(), resumedMs);
    }

    @Test
    void whileNatsIsUnreachableForTenSecondsTheWorkerKeepsRunningIngestAnswers503ThenIngestAndWorkResume() throws Exception {
        LocalNatsServer server = closeLater(LocalNatsServer.start());
        CountingFunction function = closeLater(new CountingFunction(Duration.ZERO));
        QueueWorkerApp app = app(Map.of("nats_url", server.url(), "queue_name", queueName("outage"),
                "gateway_url", function.baseUrl().toString()));
        String base = "http://127.0.0.1:" + app.ingestPort() + "/async-function/work";
        var worker = app.worker();
        for (int i = 0; i < 50; i++) assertEquals(202, post(base, "before-" + i));
        function.awaitDistinct(50, Duration.ofSeconds(20));

        server.stop();
        long downAt = System.nanoTime();
        int refused = 0;
        int during = 0;
        while (System.nanoTime() - downAt < TimeUnit.SECONDS.toNanos(10)) {
            during++;
            if (post(base, "during-" + during) == 503) refused++;
            TimeUnit.MILLISECONDS.sleep(250);
        }
        server.launch();
        long upAt = System.nanoTime();
        int status = 0;
        int tries = 0;
        while (status != 202 && System.nanoTime() - upAt < TimeUnit.SECONDS.toNanos(20)) {
            status = post(base, "after-0");
            tries++;
            if (status != 202) TimeUnit.MILLISECONDS.sleep(100);
        }
        long ingestBackMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - upAt);
        for (int i = 1; i < 50; i++) assertEquals(202, post(base, "after-" + i));
        function.awaitDistinct(100, Duration.ofSeconds(30));
        long workBackMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - upAt);

        assertEquals(during, refused, "every call during the outage was answered 503");
        assertEquals(202, status, "202 again once NATS is back (" + tries + " tries)");
        for (int i = 0; i < 50; i++) {
            assertEquals(1, function.count("before-" + i));
            assertEquals(1, function.count("after-" + i));
        }
        assertEquals(0, function.count("during-1"), "nothing refused was stored");
        assertSame(worker, app.worker(), "the worker was not restarted");
        assertTrue(app.queue().connection().getStatistics().getReconnects() >= 1, "the reconnect was counted");
        String metrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.metricsPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("queue_worker_nats_reconnect_total 1.0"), "and shown in the metrics:\n" + metrics);
        log.warn("FIGURES outage: 10 s down, {} ingest calls answered 503, ingest 202 again {} ms after NATS returned, all work done {} ms after, reconnects {}, duplicates {}",
                refused, ingestBackMs, workBackMs, app.queue().connection().getStatistics().getReconnects(), function.duplicates());
    }

    private int post(String url, String callId) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("X-Call-Id", callId).POST(HttpRequest.BodyPublishers.ofString("x")).build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aHangingFunctionIsCutOffByTheUpstreamTimeoutRetriedAndOtherCallsKeepFlowing() throws Exception {
        LocalNatsServer server = closeLater(LocalNatsServer.start());
        RecordingHttpServer gateway = closeLater(RecordingHttpServer.start());
        AtomicInteger hangCalls = new AtomicInteger();
        gateway.respond("/function/hang", r -> hangCalls.incrementAndGet() == 1
                ? Response.of(200, "too late").after(Duration.ofSeconds(60)) : Response.of(200, "finally"));
        QueueWorkerApp app = app(Map.of("nats_url", server.url(), "queue_name", queueName("hang"),
                "gateway_url", gateway.baseUrl().toString(), "upstream_timeout", "4s", "max_retry_attempts", "3",
                "max_inflight", "5"));
        String base = "http://127.0.0.1:" + app.ingestPort() + "/async-function/";
        String callback = gateway.baseUrl() + "/cb/";

        HttpRequest hang = HttpRequest.newBuilder(URI.create(base + "hang")).header("X-Callback-Url", callback + "hang")
                .POST(HttpRequest.BodyPublishers.ofString("h")).build();
        assertEquals(202, client.send(hang, HttpResponse.BodyHandlers.discarding()).statusCode());
        gateway.await("/function/hang", 1, Duration.ofSeconds(10));
        for (int i = 0; i < 100; i++) {
            HttpRequest quick = HttpRequest.newBuilder(URI.create(base + "quick")).header("X-Callback-Url", callback + "quick")
                    .POST(HttpRequest.BodyPublishers.ofString("q" + i)).build();
            assertEquals(202, client.send(quick, HttpResponse.BodyHandlers.discarding()).statusCode());
        }

        List<RecordedRequest> quickDone = gateway.await("/cb/quick", 100, Duration.ofSeconds(20));
        RecordedRequest hangDone = gateway.await("/cb/hang", 1, Duration.ofSeconds(20)).get(0);
        assertTrue(quickDone.get(99).at().isBefore(hangDone.at()), "other calls finished while the hanging one waited");
        assertEquals(2, gateway.requests("/function/hang").size(), "cut off once, then retried");
        assertEquals("200", hangDone.header("X-Function-Status").orElseThrow());
        assertEquals("1", hangDone.header("X-Retry").orElseThrow());
        assertEquals("finally", hangDone.bodyText());
    }

    @Test
    void aWorkerJvmKilledWithSigkillMidBurstLosesNothingOnceAnotherWorkerStarts() throws Exception {
        LocalNatsServer server = closeLater(LocalNatsServer.start());
        CountingFunction function = closeLater(new CountingFunction(Duration.ofMillis(10)));
        String queueName = queueName("sigkill");
        Connection connection = connect(server.url());
        closeLater(connection::close);
        JetStreamQueue queue = JetStreamQueue.builder(connection).queue(queueName).build();
        queue.ensureStream();
        Path logDir = Files.createTempDirectory("async-queue-worker-jvm");
        Map<String, String> env = Map.of("role", "worker", "nats_url", server.url(), "queue_name", queueName,
                "gateway_url", function.baseUrl().toString(), "ack_wait", "2s", "max_inflight", "50", "metrics_port", "0");

        Process first = closeLater(new JvmProcess(env, logDir.resolve("first.log"))).process;
        List<String> ids = enqueue(queue, "k", 3000, Duration.ofSeconds(30));
        awaitAtLeast(function, 800, Duration.ofSeconds(60));
        first.destroyForcibly(); // SIGKILL: no shutdown hook, nothing settled
        assertTrue(first.waitFor(10, TimeUnit.SECONDS));
        int distinctAtKill = function.distinct();
        long remaining = stored(connection, queue.streamName());

        closeLater(new JvmProcess(env, logDir.resolve("second.log")));
        function.awaitDistinct(ids.size(), Duration.ofSeconds(90));
        awaitStreamEmpty(connection, queue.streamName(), Duration.ofSeconds(20));

        assertAllInvoked(function, ids);
        assertTrue(function.duplicates() <= 100, "only calls in flight at the kill ran twice: " + function.duplicates());
        log.warn("FIGURES sigkill: enqueued {}, {} done when killed, {} left in the stream, lost 0, duplicates {}",
                ids.size(), distinctAtKill, remaining, function.duplicates());
    }

    /** The example queue-worker in a JVM of its own, started from this test's class path. */
    private static final class JvmProcess implements AutoCloseable {
        final Process process;

        JvmProcess(Map<String, String> env, Path logFile) throws Exception {
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    QueueWorkerApp.class.getName())
                    .redirectErrorStream(true).redirectOutput(logFile.toFile());
            pb.environment().putAll(env);
            process = pb.start();
        }

        @Override
        public void close() throws Exception {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aThreeNodeClusterLosesNothingWhenTheStreamLeaderIsKilledDuringABurst() throws Exception {
        int[] clientPorts = {LocalNatsServer.freePort(), LocalNatsServer.freePort(), LocalNatsServer.freePort()};
        int[] routePorts = {LocalNatsServer.freePort(), LocalNatsServer.freePort(), LocalNatsServer.freePort()};
        List<LocalNatsServer> nodes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<String> routes = new ArrayList<>();
            for (int j = 0; j < 3; j++) if (j != i) routes.add("nats://127.0.0.1:" + routePorts[j]);
            nodes.add(closeLater(LocalNatsServer.builder().port(clientPorts[i]).args("--name", "n" + i, "--cluster_name", "aq",
                    "--cluster", "nats://127.0.0.1:" + routePorts[i], "--routes", String.join(",", routes)).start()));
        }
        String urls = String.join(",", nodes.stream().map(LocalNatsServer::url).toList());
        Connection connection = connect(urls);
        closeLater(connection::close);
        awaitJetStreamReady(connection, Duration.ofSeconds(30));
        CountingFunction function = closeLater(new CountingFunction(Duration.ofMillis(5)));
        String queueName = queueName("cluster");
        JetStreamQueue queue = threeReplicaQueue(connection, queueName, Duration.ofSeconds(30));
        QueueWorkerApp app = app(Map.of("nats_url", urls, "queue_name", queueName, "role", "worker", "nats_stream_replicas", "3",
                "gateway_url", function.baseUrl().toString(), "max_inflight", "50"));
        var worker = app.worker();

        List<String> ids = new ArrayList<>(enqueue(queue, "c", 2500, Duration.ofSeconds(60)));
        awaitAtLeast(function, 1000, Duration.ofSeconds(60));
        String leader = connection.jetStreamManagement().getStreamInfo(queue.streamName()).getClusterInfo().getLeader();
        LocalNatsServer leaderNode = nodes.get(Integer.parseInt(leader.substring(1)));
        function.resetGap();
        long killedAt = System.nanoTime();
        leaderNode.kill();
        // The burst goes on during the election: the client retries what was not confirmed, with the same call ids.
        ids.addAll(enqueue(queue, "d", 2500, Duration.ofSeconds(60)));
        function.awaitDistinct(ids.size(), Duration.ofSeconds(90));
        long allDoneMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        Duration stall = function.longestGap();

        assertAllInvoked(function, ids);
        assertTrue(stall.compareTo(Duration.ofSeconds(20)) < 0, "the worker continued within 20 s: stalled " + stall);
        String newLeader = connection.jetStreamManagement().getStreamInfo(queue.streamName()).getClusterInfo().getLeader();
        assertTrue(!leader.equals(newLeader), "a new leader took over");
        log.warn("FIGURES cluster: enqueued {}, leader {} killed at 1000+ done, new leader {}, longest pause {} ms, all done {} ms after the kill, lost 0, duplicates {}",
                ids.size(), leader, newLeader, stall.toMillis(), allDoneMs, function.duplicates());
        assertSame(worker, app.worker(), "the worker carried on through the election without a restart");
    }

    /**
     * The meta leader can answer before every peer has joined; until all three have, placing three
     * replicas fails with "no suitable peers", so creation is retried until the cluster is whole.
     */
    private static JetStreamQueue threeReplicaQueue(Connection connection, String name, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return JetStreamQueue.builder(connection).queue(name).replicas(3).build();
            } catch (dev.asyncqueue.QueueUnavailableException notYet) {
                if (System.nanoTime() > deadline) throw new AssertionError("no 3-replica stream within " + timeout, notYet);
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }

    private static void awaitJetStreamReady(Connection connection, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                connection.jetStreamManagement().getAccountStatistics();
                return;
            } catch (Exception notYet) {
                if (System.nanoTime() > deadline) throw new AssertionError("JetStream cluster not ready", notYet);
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }
}
