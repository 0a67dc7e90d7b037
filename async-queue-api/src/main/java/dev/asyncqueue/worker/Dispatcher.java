package dev.asyncqueue.worker;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Delivery;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.LimiterLookup;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.internal.Threads;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.WorkSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pull loop, on the worker's one dispatcher thread: takes the free slots, offers each source its
 * {@link FairShares fair share}, takes the limiter's permits (in {@link #permits}, the one place), and
 * hands each delivery with its slot and permit to the {@link CallRunner}. A delivery it cannot start
 * (no permit, or the worker is stopping) goes straight back to the queue.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(QueueWorker.class);

    private final String name;
    private final ConsumerStrategy consumer;
    private final LimiterLookup limiters;
    private final InFlight inFlight;
    private final CallRunner calls;
    private final Duration pollWait;
    private final Duration rejectionDelay;
    private final Ticker ticker;
    private final SourceBackoff backoff;
    private final FunctionAnnotations latestAnnotations = new FunctionAnnotations();
    private final WorkerHealth health;
    /**
     * A pull failure of a running worker, held for one poll before the worker is called degraded: a connection
     * being closed fails its pulls before it reports itself closed, and that is the end of pulling, not a
     * degradation. Read and written on the dispatcher thread only.
     */
    private RuntimeException heldFailure;
    private long heldSince;
    private volatile boolean running;
    private Thread thread;

    Dispatcher(String name, ConsumerStrategy consumer, LimiterLookup limiters, InFlight inFlight, CallRunner calls,
               Duration pollWait, Duration rejectionDelay, Ticker ticker, WorkerHealth health) {
        this.name = name;
        this.consumer = consumer;
        this.limiters = limiters;
        this.inFlight = inFlight;
        this.calls = calls;
        this.pollWait = pollWait;
        this.rejectionDelay = rejectionDelay;
        this.ticker = ticker;
        // A failed source waits as long as one pull may wait for work: long enough not to hammer a broken
        // consumer, short enough that a consumer re-created meanwhile is soon served.
        this.backoff = new SourceBackoff(pollWait);
        this.health = health;
    }

    /** Starts the dispatcher thread. */
    synchronized void start() {
        running = true;
        thread = Threads.named("async-queue-dispatcher-" + name).newThread(this::loop);
        thread.setDaemon(false);
        thread.start();
    }

    /** Stops pulling and waits up to {@code wait} for the thread to end, interrupting it if it does not. */
    void stop(Duration wait) {
        Thread t;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
        }
        inFlight.wake();
        if (t == null || t == Thread.currentThread()) return;
        try {
            t.join(wait.toMillis());
            if (t.isAlive()) {
                t.interrupt();
                t.join(wait.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        while (running) {
            int taken = 0;
            FairShares round = null;
            try {
                if (reportHeldFailure()) break;
                taken = inFlight.takeFree(pollWait);
                if (taken == 0) continue;
                List<WorkSource> all = consumer.sources();
                if (all.isEmpty() && closedForGood()) break;
                List<WorkSource> sources = backoff.ready(all, ticker.read());
                round = new FairShares(taken, sources.size());
                // Sources all sitting out a failure prove nothing; a round with nothing to pull, or pulled
                // without a failure, shows the worker healthy.
                boolean healthy = pull(sources, round) && (all.isEmpty() || !sources.isEmpty());
                if (healthy) health.pulled();
            } catch (InterruptedException e) {
                if (running) log.warn("dispatcher of {} interrupted; stopping", name);
                break;
            } catch (RuntimeException e) {
                if (closedForGood()) break;
                pullFailed(e);
                pauseAfterFailure();
            } catch (VirtualMachineError fatal) {
                log.error("dispatcher of {} stopping: {}", name, fatal.toString());
                throw fatal;
            } catch (Error e) {
                // An Error from a decoder or a listener must not silently end the only pulling thread.
                log.error("pulling from queue {} failed", name, e);
                pauseAfterFailure();
            } finally {
                // A pull that fails part-way gives back only the slots no delivery took.
                inFlight.giveBack(round != null ? round.free() : taken);
            }
        }
    }

    /** True, and the worker's state says so, when the consumer's transport is gone: pulling ends for good. */
    private boolean closedForGood() {
        if (!consumer.isClosed()) return false;
        health.transportClosed();
        return true;
    }

    /** A degraded worker's failures go straight to its health; a running worker's first one is held a poll. */
    private void pullFailed(RuntimeException e) {
        if (health.state() == WorkerState.DEGRADED) {
            health.pullFailed(e);
        } else if (heldFailure == null) {
            heldFailure = e;
            heldSince = ticker.read();
        }
    }

    /**
     * Reports a held failure once it is a poll old and the transport is still open; true when the transport
     * turned out closed, which ends pulling instead.
     */
    private boolean reportHeldFailure() {
        if (heldFailure == null) return false;
        if (closedForGood()) return true;
        if (ticker.read() - heldSince < pollWait.toNanos()) return false;
        health.pullFailed(heldFailure);
        heldFailure = null;
        return false;
    }

    private void pauseAfterFailure() {
        try {
            inFlight.await(pollWait.toMillis(), () -> running);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * How soon a function's limiter is asked again after granting nothing, at most. An adaptive limiter
     * changes its mind with time, not only when one of this worker's calls ends: a probe call counts as
     * accepted once it has outlived the 429 round trip (a few milliseconds), a member cut to nothing comes
     * back a round trip after its 429, and another replica's calls ending make room that nothing here
     * announces. Waiting for a local call to end, or a tenth of the poll wait, held a probe to a step per
     * 100 ms where its window is 10 to 50; asking a limiter costs well under a microsecond.
     */
    static final Duration LIMITER_RECHECK = Duration.ofMillis(10);

    /** Pulls once from each source while slots last; false when a source failed this round. */
    private boolean pull(List<WorkSource> sources, FairShares round) throws InterruptedException {
        if (sources.isEmpty()) {
            pauseAfterFailure();
            return true;
        }
        boolean allWell = true;
        // Only a lone shared source is long-polled: a function's source holds limiter permits while it
        // waits, and its work is known to exist, so it is asked without waiting.
        boolean waitForWork = sources.size() == 1 && sources.get(0).function().isEmpty();
        int before = round.free();
        boolean limitedNow = false;
        for (WorkSource source : sources) {
            if (round.free() == 0 || !running) break;
            int want = round.nextShare();
            Optional<String> function = source.function();
            Deque<Permit> granted = null;
            if (function.isPresent()) {
                granted = permits(function.get(), latestAnnotations.of(function.get()), want);
                want = granted.size();
                if (want == 0) {
                    limitedNow = true;
                    continue;
                }
            }
            Deque<Permit> permits = granted;
            try {
                source.fetch(want, waitForWork ? pollWait : Duration.ZERO, delivery -> {
                    round.taken();
                    admit(delivery, permits == null ? null : permits.poll());
                });
            } catch (RuntimeException e) {
                if (consumer.isClosed()) throw e; // the transport is gone: the loop ends pulling for good
                // Only this source waits; the worker's health says once that pulls fail, not once a round.
                backoff.failed(source, ticker.read());
                pullFailed(e);
                allWell = false;
            } finally {
                if (permits != null) permits.forEach(p -> p.release(Outcome.IGNORED));
            }
        }
        if (round.free() == before && !waitForWork) {
            // Nothing could start (no work ready, or no permits): wait for a call to end rather than spin, or
            // for a limiter that granted nothing to have had time to change its mind.
            long idle = pollWait.toMillis() / 10;
            inFlight.await(limitedNow ? Math.min(idle, LIMITER_RECHECK.toMillis()) : idle, () -> running);
        }
        return allWell;
    }

    /** Starts a delivery that holds a slot; {@code permit} is null when its source is shared by all functions. */
    private void admit(Delivery delivery, Permit permit) {
        Invocation invocation = delivery.invocation();
        // From a function's own source: its annotations find its limiter before the next pull.
        if (permit != null) latestAnnotations.record(invocation.function(), invocation.annotations());
        if (!running) {
            if (permit != null) permit.release(Outcome.IGNORED);
            refuse(delivery, Duration.ZERO, CallRunner.SHUTTING_DOWN);
            return;
        }
        // A shared source's function is known only now: its limiter is asked after the pull.
        Permit held = permit != null ? permit : permits(invocation.function(), invocation.annotations(), 1).poll();
        if (held == null) {
            refuse(delivery, rejectionDelay, "concurrency limit of " + invocation.function() + " reached");
            return;
        }
        calls.start(delivery, held);
    }

    private void refuse(Delivery delivery, Duration delay, String why) {
        calls.returnToQueue(delivery, delay, why);
        inFlight.giveBack(1);
    }

    /** Up to {@code max} permits from the function's limiter, as many as it grants now. */
    private Deque<Permit> permits(String function, Map<String, String> annotations, int max) {
        ConcurrencyLimiter limiter = limiters.limiterFor(function, annotations);
        Deque<Permit> permits = new ArrayDeque<>();
        while (permits.size() < max) {
            Optional<Permit> p = limiter.tryAcquire();
            if (p.isEmpty()) break;
            permits.add(p.get());
        }
        return permits;
    }
}
