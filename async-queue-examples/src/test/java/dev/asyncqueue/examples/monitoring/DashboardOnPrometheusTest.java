package dev.asyncqueue.examples.monitoring;

import dev.asyncqueue.examples.QueueWorkerApp;
import dev.asyncqueue.examples.RunningAppTest;
import dev.asyncqueue.examples.localnats.LocalNatsServer;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The example worker under a short load, scraped every second by a real Prometheus that also loads the
 * alerting rules: every query of the Grafana dashboard returns data, and every rule loads healthy.
 */
@Tag("monitoring")
class DashboardOnPrometheusTest extends RunningAppTest {
    private static final String QUEUE = "monitored";
    private static final Duration DEADLINE = Duration.ofSeconds(40);

    @TempDir
    Path dir;

    @Test
    void everyDashboardQueryReturnsDataAndEveryAlertRuleLoadsHealthy() throws Exception {
        // Fail on a missing Prometheus before starting anything.
        MonitoringFiles.executable("prometheus");
        Dashboard dashboard = Dashboard.read(MonitoringFiles.dashboard());
        assertFalse(dashboard.panelQueries().isEmpty(), "the dashboard has queries");

        int port = LocalNatsServer.freePort();
        String base = "http://127.0.0.1:" + port;
        // Function mode with the limiter, so the concurrency-limit gauges exist; the demo functions serve as gateway.
        QueueWorkerApp app = QueueWorkerApp.start(Map.ofEntries(
                Map.entry("nats_url", nats.url()),
                Map.entry("queue_name", QUEUE),
                Map.entry("port", Integer.toString(port)),
                Map.entry("metrics_port", "0"),
                Map.entry("metrics_poll_interval", "200ms"),
                Map.entry("demo_functions", "true"),
                Map.entry("gateway_url", base),
                Map.entry("scaling_mode", "function"),
                Map.entry("status_bucket", "status-" + QUEUE),
                Map.entry("max_retry_attempts", "2"),
                Map.entry("initial_retry_wait", "100ms"),
                Map.entry("max_retry_wait", "100ms")));
        toClose.add(app);
        PrometheusServer prometheus = PrometheusServer.start(dir, "127.0.0.1:" + app.metricsPort(),
                List.of(MonitoringFiles.alertRules()));
        toClose.add(prometheus);

        // A call held running, then cancelled: in flight, then a cancellation.
        String held = enqueue(base, "sleep?ms=30000", Map.of());
        for (int i = 0; i < 20; i++) enqueue(base, "echo", Map.of());
        enqueue(base, "status?code=404", Map.of());                                   // a 4xx attempt
        enqueue(base, "status?code=500", Map.of());                                   // a retry, then a dead letter
        enqueue(base, "echo", Map.of("X-Callback-Url", base + "/function/status?code=500")); // a failed callback
        awaitState(base, held, "running");
        HttpResponse<String> cancel = client.send(HttpRequest.newBuilder(URI.create(base + "/async-function/" + held))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, cancel.statusCode(), cancel.body());

        Map<String, String> variables = Map.of(
                "job", PrometheusServer.JOB, "queue", QUEUE, "function", ".*",
                "__rate_interval", "15s", "__interval", "1s", "__range", "1m");
        Map<String, String> queries = new LinkedHashMap<>();
        for (Dashboard.Query q : dashboard.panelQueries()) {
            queries.put(q.panel() + " / " + q.refId(), Dashboard.substitute(q.expr(), variables));
        }
        for (Dashboard.VariableQuery v : dashboard.variableQueries()) {
            // What label_values(selector, label) offers: the label's values on the series the selector finds.
            queries.put("variable $" + v.variable(), "count by (" + v.label() + ") ("
                    + Dashboard.substitute(v.selector(), variables) + ")");
        }
        List<String> empty = new ArrayList<>(queries.keySet());
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!empty.isEmpty() && System.nanoTime() - deadline < 0) {
            List<String> still = new ArrayList<>();
            for (String name : empty) {
                if (prometheus.query(queries.get(name)).isEmpty()) still.add(name);
            }
            empty = still;
            if (!empty.isEmpty()) TimeUnit.MILLISECONDS.sleep(250);
        }
        StringBuilder report = new StringBuilder();
        for (String name : empty) report.append("\n  ").append(name).append(": ").append(queries.get(name));
        assertEquals(List.of(), empty, "dashboard queries without data after " + DEADLINE + ":" + report);

        List<String> alerts = MonitoringFiles.alertNames();
        Map<String, String> health = new LinkedHashMap<>();
        deadline = System.nanoTime() + DEADLINE.toNanos();
        do {
            health.clear();
            for (JsonValue group : prometheus.ruleGroups()) {
                for (JsonValue rule : group.map.get("rules").array) {
                    JsonValue error = rule.map.get("lastError");
                    health.put(rule.map.get("name").string, rule.map.get("health").string
                            + (error == null || error.string.isEmpty() ? "" : " (" + error.string + ")"));
                }
            }
            if (health.size() == alerts.size() && health.values().stream().allMatch("ok"::equals)) break;
            TimeUnit.MILLISECONDS.sleep(250);
        } while (System.nanoTime() - deadline < 0);
        assertEquals(new TreeSet<>(alerts), new TreeSet<>(health.keySet()), "the rules Prometheus loaded");
        health.forEach((rule, state) -> assertEquals("ok", state, rule + " in " + health));
    }

    private String enqueue(String base, String function, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + "/async-function/" + function))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString("load"));
        headers.forEach(request::header);
        HttpResponse<String> accepted = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, accepted.statusCode(), accepted.body());
        return accepted.headers().firstValue("X-Call-Id").orElseThrow();
    }

    private void awaitState(String base, String callId, String state) throws Exception {
        URI status = URI.create(base + "/async-function/status/" + callId);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last = "";
        while (System.nanoTime() - deadline < 0) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString());
            last = response.body();
            if (response.statusCode() == 200 && state.equals(JsonParser.parse(last).map.get("state").string)) return;
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new AssertionError("call " + callId + " not " + state + " within 15s: " + last);
    }
}
