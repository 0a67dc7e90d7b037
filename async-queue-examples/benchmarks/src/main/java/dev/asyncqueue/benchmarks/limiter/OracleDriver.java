package dev.asyncqueue.benchmarks.limiter;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The oracle: a client that knows the farm's capacity at every instant ({@link SleepFunctionFarm#capacity()}) and
 * keeps exactly that many calls in flight until a burst is done. It calls the farm directly over HTTP, as the
 * workers do, without a queue or a limiter, so its drain time is the floor a worker group can be held against.
 */
final class OracleDriver {
    /** How often the driver looks at the capacity when no call ends: the autoscaler may have added a replica. */
    private static final long LOOK_EVERY_MICROS = 2_000;

    /**
     * What the oracle measured.
     *
     * @param drainTime first call sent to the last call answered 200
     * @param sent      calls the function received
     * @param rejected  of those, answered 429 (a race with the farm's own bookkeeping; normally none)
     * @param farm      the autoscaler's decisions during the run
     */
    record Result(Duration drainTime, long sent, long rejected, List<FarmSample> farm) {
        /** Copies the decisions. */
        Result {
            farm = List.copyOf(farm);
        }
    }

    private OracleDriver() {
    }

    /** Runs {@code invocations} calls against a fresh farm with {@code settings}; fails after {@code timeout}. */
    static Result run(FarmSettings settings, int invocations, Duration timeout) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (SleepFunctionFarm farm = SleepFunctionFarm.start(settings)) {
            URI uri = farm.gatewayUrl().resolve(SleepFunctionFarm.PATH);
            AtomicInteger inFlight = new AtomicInteger();
            AtomicInteger toSend = new AtomicInteger(invocations);
            AtomicInteger done = new AtomicInteger();
            AtomicLong lastDone = new AtomicLong();
            Semaphore ended = new Semaphore(0);
            long start = System.nanoTime();
            long deadline = start + timeout.toNanos();
            int next = 0;
            while (done.get() < invocations) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("oracle: " + done.get() + " of " + invocations + " done after " + timeout);
                }
                while (toSend.get() > 0 && inFlight.get() < farm.capacity()) {
                    toSend.decrementAndGet();
                    inFlight.incrementAndGet();
                    HttpRequest request = HttpRequest.newBuilder(uri).header("X-Call-Id", "oracle-" + next++)
                            .POST(HttpRequest.BodyPublishers.ofString("call")).build();
                    client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                        if (error == null && response.statusCode() == 200) {
                            lastDone.accumulateAndGet(System.nanoTime(), Math::max);
                            done.incrementAndGet();
                        } else {
                            toSend.incrementAndGet();
                        }
                        inFlight.decrementAndGet();
                        ended.release();
                    });
                }
                ended.tryAcquire(LOOK_EVERY_MICROS, TimeUnit.MICROSECONDS);
            }
            return new Result(Duration.ofNanos(lastDone.get() - start), farm.requests(), farm.rejected(), farm.history());
        }
    }
}
