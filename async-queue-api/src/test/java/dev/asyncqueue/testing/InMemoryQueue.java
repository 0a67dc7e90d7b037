package dev.asyncqueue.testing;

import dev.asyncqueue.ConsumerStrategy;
import dev.asyncqueue.Delivery;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.WorkSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A queue in memory that a {@link dev.asyncqueue.worker.QueueWorker} can drain without a broker: a
 * {@link ConsumerStrategy} with one shared {@link WorkSource} (no function filter) over a blocking queue.
 *
 * <p>It behaves like a work-queue stream with one pull consumer: {@code ack} and {@code reject} remove the
 * message; {@code retryAfter(delay)} puts it back as a new delivery with {@code attempt + 1} once the delay
 * has passed. With an ack wait ({@link #withAckWait(Duration)}) a delivery that is neither settled nor kept
 * alive for that long is redelivered, as JetStream does, so tests can show that keep-alives prevent
 * duplicate invocations.
 *
 * <p>It reports what was acked and rejected, how many deliveries are held now (handed out, not settled)
 * and the most ever held at once. Misuse (fetching before {@link #start()} or after {@link #close()},
 * settling a delivery twice) is recorded in {@link #misuse()} as well as thrown, because the worker
 * under test may catch and log what it is thrown.
 */
public final class InMemoryQueue implements ConsumerStrategy {

    /** One timer for every in-memory queue; its thread ends when idle, and its name is not the library's. */
    private static final ScheduledThreadPoolExecutor TIMER = newTimer();

    private record Entry(Invocation invocation, int attempt) {
    }

    private final Duration ackWait;
    private final BlockingDeque<Entry> ready = new LinkedBlockingDeque<>();
    /** Held deliveries and when each was last touched (handed out or kept alive), in nanos. */
    private final Map<InMemoryDelivery, Long> held = new ConcurrentHashMap<>();
    private final AtomicInteger heldCount = new AtomicInteger();
    private final AtomicInteger maxHeld = new AtomicInteger();
    private final AtomicInteger scheduled = new AtomicInteger();
    private final AtomicInteger redeliveries = new AtomicInteger();
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();
    private final List<InMemoryDelivery> deliveries = new CopyOnWriteArrayList<>();
    private final List<InMemoryDelivery> acked = new CopyOnWriteArrayList<>();
    private final List<InMemoryDelivery> rejected = new CopyOnWriteArrayList<>();
    private final List<InMemoryDelivery> lateSettlements = new CopyOnWriteArrayList<>();
    private final List<String> misuse = new CopyOnWriteArrayList<>();
    private final Object changed = new Object();
    private final WorkSource source = new SharedSource();
    private final InMemoryDelivery.Observer observer = new DeliveryObserver();
    private volatile boolean started;
    private volatile boolean closed;
    private volatile int failAfter = -1;
    private volatile RuntimeException failure;

    private InMemoryQueue(Duration ackWait) {
        if (ackWait != null && (ackWait.isZero() || ackWait.isNegative())) {
            throw new IllegalArgumentException("ackWait must be positive");
        }
        this.ackWait = ackWait;
    }

    /** A queue that never redelivers on its own: a delivery stays held until it is settled. */
    public static InMemoryQueue create() {
        return new InMemoryQueue(null);
    }

    /** A queue that redelivers a delivery not settled or kept alive within {@code ackWait}. */
    public static InMemoryQueue withAckWait(Duration ackWait) {
        return new InMemoryQueue(Objects.requireNonNull(ackWait, "ackWait"));
    }

    /** Adds a first delivery of {@code invocation} at the tail. */
    public InMemoryQueue enqueue(Invocation invocation) {
        return enqueue(invocation, 1);
    }

    /** Adds {@code invocation} as delivery number {@code attempt}, as if it had been delivered before. */
    public InMemoryQueue enqueue(Invocation invocation, int attempt) {
        if (attempt < 1) throw new IllegalArgumentException("attempt starts at 1, got " + attempt);
        ready.add(new Entry(Objects.requireNonNull(invocation, "invocation"), attempt));
        signal();
        return this;
    }

    /**
     * Makes the next fetch fail with {@code failure} after handing over {@code afterDeliveries} deliveries,
     * as a broker connection can drop in the middle of a pull.
     */
    public InMemoryQueue failNextFetch(int afterDeliveries, RuntimeException failure) {
        this.failure = Objects.requireNonNull(failure, "failure");
        this.failAfter = afterDeliveries;
        return this;
    }

    // ---- ConsumerStrategy

    @Override
    public void start() {
        closed = false;
        started = true;
        signal();
    }

    @Override
    public List<WorkSource> sources() {
        if (!started || closed) {
            String problem = "sources() asked while the queue is " + (closed ? "closed" : "not started");
            misuse.add(problem);
            throw new IllegalStateException(problem);
        }
        return List.of(source);
    }

    /** Stops handing out work; queued and held messages stay, so another worker can take them later. */
    @Override
    public void close() {
        closed = true;
        signal();
    }

    // ---- what a test asks

    /** True between {@link #start()} and {@link #close()}. */
    public boolean isOpen() {
        return started && !closed;
    }

    /**
     * True once {@link #close()} was called (and not started again since); a worker reads it as its transport
     * being closed for good, and stops pulling.
     */
    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Deliveries handed out and not yet settled (nor expired). */
    public int held() {
        return heldCount.get();
    }

    /** The most deliveries held at once so far. */
    public int maxHeld() {
        return maxHeld.get();
    }

    /** Messages ready to be handed out now. */
    public int ready() {
        return ready.size();
    }

    /** Messages waiting for their retry delay to pass before they are ready again. */
    public int scheduled() {
        return scheduled.get();
    }

    /** Messages still in the queue: ready, waiting for a retry delay, or held. */
    public int pending() {
        return ready.size() + scheduled.get() + heldCount.get();
    }

    /** Every delivery handed out so far, in order. */
    public List<InMemoryDelivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** The deliveries of one call, in order. */
    public List<InMemoryDelivery> deliveriesOf(String callId) {
        List<InMemoryDelivery> of = new ArrayList<>();
        for (InMemoryDelivery d : deliveries) {
            if (d.invocation().callId().equals(callId)) of.add(d);
        }
        return of;
    }

    /** Deliveries settled by {@code ack}, in order. */
    public List<InMemoryDelivery> acked() {
        return List.copyOf(acked);
    }

    /** Deliveries settled by {@code reject}, in order. */
    public List<InMemoryDelivery> rejected() {
        return List.copyOf(rejected);
    }

    /** How many deliveries were redelivered because their ack wait ran out. */
    public int redeliveries() {
        return redeliveries.get();
    }

    /** Deliveries settled after their ack wait had run out (and the message had been redelivered). */
    public List<InMemoryDelivery> lateSettlements() {
        return List.copyOf(lateSettlements);
    }

    /** How many times {@link WorkSource#fetch} was called. */
    public int fetches() {
        return fetches.get();
    }

    /** Everything a correct worker never does: pulls outside start/close, settling a delivery twice. */
    public List<String> misuse() {
        List<String> all = new ArrayList<>(misuse);
        for (InMemoryDelivery d : deliveries) {
            if (!d.extraSettlements().isEmpty()) {
                all.add(d.position() + " settled more than once: " + d.settlement().orElseThrow() + ", then "
                        + d.extraSettlements());
            }
        }
        return all;
    }

    /** Fails when {@link #misuse()} is not empty. */
    public void assertNoMisuse() {
        List<String> problems = misuse();
        if (!problems.isEmpty()) throw new AssertionError("queue misused: " + problems);
    }

    /**
     * Waits until {@code condition} holds for this queue, re-checking whenever the queue changes;
     * fails after {@code timeout} with {@code what} and the queue's state.
     */
    public void awaitUntil(String what, Predicate<InMemoryQueue> condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changed) {
            while (!condition.test(this)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; " + this);
                // Changes made elsewhere without a signal (a delivery's keep-alive count) are caught by the re-check.
                TimeUnit.NANOSECONDS.timedWait(changed, Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
            }
        }
    }

    /** Waits until at least {@code count} deliveries were acked; returns them. */
    public List<InMemoryDelivery> awaitAcked(int count, Duration timeout) throws InterruptedException {
        awaitUntil(count + " acks", q -> q.acked.size() >= count, timeout);
        return acked();
    }

    /** Waits until at least {@code count} deliveries were handed out; returns them. */
    public List<InMemoryDelivery> awaitDeliveries(int count, Duration timeout) throws InterruptedException {
        awaitUntil(count + " deliveries", q -> q.deliveries.size() >= count, timeout);
        return deliveries();
    }

    @Override
    public String toString() {
        return "InMemoryQueue[ready=" + ready.size() + ", scheduled=" + scheduled.get() + ", held=" + heldCount.get()
                + ", maxHeld=" + maxHeld.get() + ", delivered=" + deliveries.size() + ", acked=" + acked.size()
                + ", rejected=" + rejected.size() + ", redelivered=" + redeliveries.get()
                + (started ? closed ? ", closed" : ", open" : ", not started") + "]";
    }

    // ---- internals

    private void signal() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    private void hold(InMemoryDelivery delivery) {
        held.put(delivery, System.nanoTime());
        int now = heldCount.incrementAndGet();
        maxHeld.accumulateAndGet(now, Math::max);
        deliveries.add(delivery);
        if (ackWait != null) {
            TIMER.schedule(() -> checkAckWait(delivery), ackWait.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Releases a held delivery; true for the one caller that wins (settlement or expiry). */
    private boolean release(InMemoryDelivery delivery) {
        if (held.remove(delivery) == null) return false;
        heldCount.decrementAndGet();
        return true;
    }

    private void checkAckWait(InMemoryDelivery delivery) {
        Long touched = held.get(delivery);
        if (touched == null) return;
        long idle = System.nanoTime() - touched;
        if (idle < ackWait.toNanos()) {
            TIMER.schedule(() -> checkAckWait(delivery), ackWait.toNanos() - idle, TimeUnit.NANOSECONDS);
            return;
        }
        if (release(delivery)) {
            redeliveries.incrementAndGet();
            enqueue(delivery.invocation(), delivery.attempt() + 1);
        }
    }

    private void later(Duration delay, Entry entry) {
        scheduled.incrementAndGet();
        TIMER.schedule(() -> {
            ready.add(entry);
            scheduled.decrementAndGet();
            signal();
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static ScheduledThreadPoolExecutor newTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread t = new Thread(runnable, "in-memory-queue-timer");
            t.setDaemon(true);
            return t;
        });
        timer.setKeepAliveTime(1, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        return timer;
    }

    private final class DeliveryObserver implements InMemoryDelivery.Observer {
        @Override
        public void keptAlive(InMemoryDelivery delivery) {
            held.computeIfPresent(delivery, (d, touched) -> System.nanoTime());
        }

        @Override
        public void settled(InMemoryDelivery delivery, InMemoryDelivery.Settlement settlement) {
            if (!release(delivery)) {
                // Its ack wait ran out first and the message was handed out again: the queue ignores this.
                lateSettlements.add(delivery);
                signal();
                return;
            }
            switch (settlement.kind()) {
                case ACK -> acked.add(delivery);
                case REJECT -> rejected.add(delivery);
                case RETRY -> {
                    Entry again = new Entry(delivery.invocation(), delivery.attempt() + 1);
                    if (settlement.delay().isZero()) {
                        ready.add(again);
                    } else {
                        later(settlement.delay(), again);
                    }
                }
            }
            signal();
        }
    }

    private final class SharedSource implements WorkSource {
        @Override
        public Optional<String> function() {
            return Optional.empty();
        }

        @Override
        public int fetch(int max, Duration maxWait, Consumer<Delivery> sink) throws InterruptedException {
            fetches.incrementAndGet();
            if (!started || closed) {
                String problem = "fetch while the queue is " + (closed ? "closed" : "not started");
                misuse.add(problem);
                throw new IllegalStateException(problem);
            }
            if (max < 1) {
                misuse.add("fetch of " + max + " deliveries");
                throw new IllegalArgumentException("max must be at least 1, got " + max);
            }
            long deadline = System.nanoTime() + maxWait.toNanos();
            int handed = 0;
            while (handed < max) {
                RuntimeException injected = failure;
                if (injected != null && handed >= failAfter) {
                    failure = null;
                    throw injected;
                }
                long left = deadline - System.nanoTime();
                Entry entry = left <= 0 ? ready.poll() : ready.poll(left, TimeUnit.NANOSECONDS);
                if (entry == null) break;
                if (closed) {
                    ready.addFirst(entry);
                    break;
                }
                InMemoryDelivery delivery = new InMemoryDelivery(entry.invocation(), entry.attempt(),
                        "memory:" + sequence.incrementAndGet(), observer);
                hold(delivery);
                handed++;
                signal();
                sink.accept(delivery);
            }
            return handed;
        }
    }
}
