package dev.asyncqueue.testing;

import dev.asyncqueue.Delivery;
import dev.asyncqueue.Invocation;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Delivery} held in memory that records what the worker did with it: keep-alives, and the one
 * settlement ({@link #ack()}, {@link #retryAfter(Duration)} or {@link #reject(String)}).
 *
 * <p>Settling twice fails loudly: the second call throws {@link IllegalStateException} and is also kept in
 * {@link #extraSettlements()}, so a test sees it even when the caller swallowed the exception.
 */
public final class InMemoryDelivery implements Delivery {

    /** What settled a delivery. */
    public enum Kind { ACK, RETRY, REJECT }

    /**
     * One settlement.
     *
     * @param kind   ack, retry or reject
     * @param delay  the retry delay (zero unless {@link Kind#RETRY})
     * @param reason the reject reason (empty unless {@link Kind#REJECT})
     */
    public record Settlement(Kind kind, Duration delay, String reason) {
        static final Settlement ACKED = new Settlement(Kind.ACK, Duration.ZERO, "");

        @Override
        public String toString() {
            return switch (kind) {
                case ACK -> "ack";
                case RETRY -> "retryAfter(" + delay + ")";
                case REJECT -> "reject(" + reason + ")";
            };
        }
    }

    /** Hears what happens to a delivery; how {@link InMemoryQueue} follows the deliveries it handed out. */
    interface Observer {
        void keptAlive(InMemoryDelivery delivery);

        void settled(InMemoryDelivery delivery, Settlement settlement);
    }

    private static final Observer NOBODY = new Observer() {
        @Override
        public void keptAlive(InMemoryDelivery delivery) {
        }

        @Override
        public void settled(InMemoryDelivery delivery, Settlement settlement) {
        }
    };

    private final Invocation invocation;
    private final int attempt;
    private final String position;
    private final Observer observer;
    private final AtomicInteger keepAlives = new AtomicInteger();
    private final AtomicReference<Settlement> settlement = new AtomicReference<>();
    private final List<Settlement> extraSettlements = new CopyOnWriteArrayList<>();
    private final CountDownLatch settledLatch = new CountDownLatch(1);
    private final AtomicReference<DeadLettered> deadLettered = new AtomicReference<>();

    /**
     * What {@link #deadLetter(String, int, int)} was told; the delivery then settles as an ack, as a
     * transport does once the dead letter is stored.
     *
     * @param reason     why
     * @param lastStatus the last status
     * @param attempts   attempts made
     */
    public record DeadLettered(String reason, int lastStatus, int attempts) {
    }

    /** A first delivery of {@code invocation}. */
    public InMemoryDelivery(Invocation invocation) {
        this(invocation, 1);
    }

    /** Delivery number {@code attempt} of {@code invocation}. */
    public InMemoryDelivery(Invocation invocation, int attempt) {
        this(invocation, attempt, "memory:" + invocation.callId() + "#" + attempt, NOBODY);
    }

    InMemoryDelivery(Invocation invocation, int attempt, String position, Observer observer) {
        if (attempt < 1) throw new IllegalArgumentException("attempt starts at 1, got " + attempt);
        this.invocation = Objects.requireNonNull(invocation, "invocation");
        this.attempt = attempt;
        this.position = position;
        this.observer = observer;
    }

    @Override
    public Invocation invocation() {
        return invocation;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public String position() {
        return position;
    }

    @Override
    public void keepAlive() {
        keepAlives.incrementAndGet();
        observer.keptAlive(this);
    }

    @Override
    public void ack() {
        settle(Settlement.ACKED);
    }

    @Override
    public void retryAfter(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) throw new IllegalArgumentException("negative retry delay " + delay);
        settle(new Settlement(Kind.RETRY, delay, ""));
    }

    /** Settles without a retry, as a transport's own terminate would; not part of {@link Delivery}. */
    public void reject(String reason) {
        settle(new Settlement(Kind.REJECT, Duration.ZERO, Objects.requireNonNull(reason, "reason")));
    }

    @Override
    public void deadLetter(String reason, int lastStatus, int attempts) {
        deadLettered.compareAndSet(null, new DeadLettered(reason, lastStatus, attempts));
        ack();
    }

    /** What the worker dead-lettered this delivery with, if it did. */
    public Optional<DeadLettered> deadLettered() {
        return Optional.ofNullable(deadLettered.get());
    }

    private void settle(Settlement s) {
        if (!settlement.compareAndSet(null, s)) {
            extraSettlements.add(s);
            throw new IllegalStateException(position + " settled twice: first " + settlement.get() + ", then " + s);
        }
        settledLatch.countDown();
        observer.settled(this, s);
    }

    /** How many times the worker said it is still working on this delivery. */
    public int keepAlives() {
        return keepAlives.get();
    }

    /** The settlement, if the delivery has been settled. */
    public Optional<Settlement> settlement() {
        return Optional.ofNullable(settlement.get());
    }

    /** True once settled in any way. */
    public boolean isSettled() {
        return settlement.get() != null;
    }

    /** True when settled by {@link #ack()}. */
    public boolean isAcked() {
        return settlement().map(s -> s.kind() == Kind.ACK).orElse(false);
    }

    /** The delay asked for when settled by {@link #retryAfter(Duration)}. */
    public Optional<Duration> retryDelay() {
        return settlement().filter(s -> s.kind() == Kind.RETRY).map(Settlement::delay);
    }

    /** The reason given when settled by {@link #reject(String)}. */
    public Optional<String> rejectReason() {
        return settlement().filter(s -> s.kind() == Kind.REJECT).map(Settlement::reason);
    }

    /** Settlements attempted after the first; a correct worker leaves this empty. */
    public List<Settlement> extraSettlements() {
        return List.copyOf(extraSettlements);
    }

    /** Waits for the settlement; fails after {@code timeout}. */
    public Settlement awaitSettlement(Duration timeout) throws InterruptedException {
        if (!settledLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new AssertionError(position + " was not settled within " + timeout + " (keep-alives: "
                    + keepAlives.get() + ")");
        }
        return settlement.get();
    }

    @Override
    public String toString() {
        return "InMemoryDelivery[" + position + ", " + invocation.function() + ", attempt " + attempt + ", "
                + (isSettled() ? settlement.get() : "unsettled") + ", keepAlives=" + keepAlives.get() + "]";
    }
}
