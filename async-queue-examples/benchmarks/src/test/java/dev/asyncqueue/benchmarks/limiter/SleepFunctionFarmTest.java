package dev.asyncqueue.benchmarks.limiter;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.asyncqueue.testing.Eventually.assertWithin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The farm over HTTP on loopback: 429 above capacity, answers after the call duration, the autoscaler wired in. */
class SleepFunctionFarmTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private SleepFunctionFarm farm;

    @AfterEach
    void stop() {
        if (farm != null) farm.close();
    }

    private CompletableFuture<HttpResponse<String>> call() {
        URI uri = farm.gatewayUrl().resolve(SleepFunctionFarm.PATH);
        return client.sendAsync(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static FarmSettings settings(Duration callDuration, Duration scaleInterval) {
        return new FarmSettings(5, 1, 10, callDuration, scaleInterval, 0.8, Duration.ofSeconds(5));
    }

    @Test
    void aSixthConcurrentCallToOneReplicaIsAnswered429AtOnceAndTheFiveAre200AfterTheirSleep() throws Exception {
        farm = SleepFunctionFarm.start(settings(Duration.ofMillis(1500), Duration.ofHours(1)));
        List<CompletableFuture<HttpResponse<String>>> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) five.add(call());
        assertWithin(Duration.ofSeconds(5), "five calls running", () -> farm.running() == 5);

        long sent = System.nanoTime();
        HttpResponse<String> sixth = call().get();
        assertEquals(429, sixth.statusCode());
        assertTrue(System.nanoTime() - sent < Duration.ofMillis(1500).toNanos(), "refused without sleeping");
        assertTrue(five.stream().noneMatch(CompletableFuture::isDone), "the five still sleep");

        for (CompletableFuture<HttpResponse<String>> f : five) assertEquals(200, f.get().statusCode());
        assertEquals(6, farm.requests());
        assertEquals(1, farm.rejected());
        assertEquals(5, farm.completed());
        assertEquals(0, farm.running());
    }

    @Test
    void theAutoscalerAddsReplicasWhileTheFarmIsFull() throws Exception {
        farm = SleepFunctionFarm.start(settings(Duration.ofSeconds(3), Duration.ofMillis(100)));
        List<CompletableFuture<HttpResponse<String>>> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) five.add(call());
        assertWithin(Duration.ofSeconds(2), () -> "a second replica; now " + farm.replicas(), () -> farm.replicas() >= 2);
        assertTrue(farm.history().stream().anyMatch(s -> s.replicas() >= 2 && s.capacity() == 5 * s.replicas()));
    }
}
