package dev.asyncqueue.nats;

import dev.asyncqueue.QueueUnavailableException;
import dev.asyncqueue.internal.Threads;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.spi.LimiterCoordination;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import io.nats.client.api.KeyValueWatcher;
import io.nats.client.api.StorageType;
import io.nats.client.impl.NatsKeyValueWatchSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Limiter coordination through a JetStream key-value bucket (default {@value #DEFAULT_BUCKET}): each
 * replica puts its limiter's latest report for a function under {@code <function token>.<member id>},
 * puts it again every heartbeat, and watches the whole bucket. Every quarter heartbeat it asks the members
 * it knows whether they still have a connection ({@link MemberLiveness}): one that has none (killed, or cut
 * off from NATS) drops out of the others' views once its calls, still running at the function, have ended (a
 * round trip, as it last reported), so a dead replica stops counting within a quarter heartbeat and a round
 * trip of its death, not after the time to live. A member not heard from for the time to live drops out
 * whatever it answers or the bucket still holds; one that closes its membership deletes its key and stops
 * counting at once. The bucket, created when absent, keeps entries for twice the time to live.
 *
 * <p>Threads: one, named, for publishing, heartbeats and liveness questions, so that no limiter ever waits
 * on NATS; the watch and the answers are delivered on the connection's dispatchers. Times are measured on
 * this process's clock from when a report arrived; only a report already in the bucket when this process
 * starts is aged by its server timestamp.
 */
public final class KvLimiterCoordination implements LimiterCoordination, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KvLimiterCoordination.class);
    /** JetStream's "stream not found", which a bucket's absence is. */
    private static final int BUCKET_NOT_FOUND = 10059;

    /** Setting that names the bucket. */
    public static final String BUCKET_SETTING = "limiter_coordination_bucket";
    /** Setting for how often a member re-announces itself; it asks about the others four times as often. */
    public static final String HEARTBEAT_SETTING = "limiter_coordination_heartbeat";
    /** Setting for how long a member stays counted after it was last heard from. */
    public static final String TTL_SETTING = "limiter_coordination_ttl";
    /** The bucket used unless configured. */
    public static final String DEFAULT_BUCKET = "async-queue-limiters";
    /** How often a member re-announces itself unless configured. */
    public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);
    /** How long a member stays counted unless configured: three heartbeats. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(3);
    /** The most members asked about in one round, so that a large group costs each member a bounded rate. */
    static final int ASKED_PER_ROUND = 16;

    private final String bucket;
    private final String member;
    private final long ttlNanos;
    /** The last member asked about in the previous round; the next round starts after it, in name order. */
    private String askedUpTo = "";
    private final Ticker ticker;
    private final KeyValue kv;
    private final JetStream jetStream;
    private final ScheduledExecutorService executor;
    /** What this process has heard, by function token. */
    private final Map<String, HeardMembers> views = new ConcurrentHashMap<>();
    /** This process's open memberships, by key. */
    private final Map<String, Joined> joined = new ConcurrentHashMap<>();
    private final NatsKeyValueWatchSubscription watch;
    private final MemberLiveness liveness;
    private final AtomicBoolean closed = new AtomicBoolean();

    private KvLimiterCoordination(Builder b) throws IOException, JetStreamApiException, InterruptedException {
        this.bucket = b.bucket;
        this.member = b.member != null ? b.member : HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        this.ttlNanos = b.ttl.toNanos();
        this.ticker = b.ticker;
        KeyValueManagement kvm = b.connection.keyValueManagement();
        try {
            kvm.getStatus(bucket);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != BUCKET_NOT_FOUND) throw e;
            kvm.create(KeyValueConfiguration.builder().name(bucket).ttl(b.ttl.multipliedBy(2))
                    .storageType(StorageType.Memory).maxHistoryPerKey(1).build());
            log.info("created limiter coordination bucket {} (entries kept {})", bucket, b.ttl.multipliedBy(2));
        }
        this.kv = b.connection.keyValue(bucket);
        this.jetStream = b.connection.jetStream();
        this.executor = Executors.newSingleThreadScheduledExecutor(Threads.named("async-queue-limiter-coordination"));
        // Answering before the first report goes out: nobody can ask about a member it has not heard of.
        this.liveness = new MemberLiveness(b.connection, bucket, member, this::gone);
        Watcher watcher = new Watcher();
        this.watch = kv.watchAll(watcher);
        if (!watcher.loaded.await(10, TimeUnit.SECONDS)) {
            log.warn("limiter coordination: the bucket {} took over 10 s to load; going on with what arrived", bucket);
        }
        long beat = b.heartbeat.toNanos();
        executor.scheduleAtFixedRate(this::heartbeat, beat, beat, TimeUnit.NANOSECONDS);
        executor.scheduleAtFixedRate(this::askMembers, beat / 4, beat / 4, TimeUnit.NANOSECONDS);
    }

    /** A coordination over {@code connection}; the bucket is created when absent. */
    public static Builder builder(Connection connection) {
        return new Builder(connection);
    }

    /** This process's member id, the same in every function's group. */
    public String member() {
        return member;
    }

    @Override
    public Membership join(String function) {
        if (closed.get()) throw new IllegalStateException("limiter coordination closed");
        String token = Subjects.encodeToken(Objects.requireNonNull(function, "function"));
        String key = token + "." + member;
        Joined mine = new Joined(key);
        joined.put(key, mine);
        HeardMembers view = views.computeIfAbsent(token, t -> new HeardMembers());
        return new Membership() {
            @Override
            public String self() {
                return member;
            }

            @Override
            public void publish(Report report) {
                mine.latest.set(Objects.requireNonNull(report, "report"));
                // Reports that come faster than they can be sent are coalesced: the latest goes.
                if (mine.dirty.compareAndSet(false, true)) submit(() -> flush(mine));
            }

            @Override
            public View view() {
                return view.current(ticker.read(), ttlNanos, member);
            }

            @Override
            public void close() {
                if (joined.remove(key, mine)) {
                    submit(() -> delete(key));
                }
            }
        };
    }

    private void flush(Joined mine) {
        mine.dirty.set(false);
        Report report = mine.latest.get();
        if (report != null && joined.get(mine.key) == mine) put(mine.key, report);
    }

    private void heartbeat() {
        for (Joined mine : joined.values()) {
            Report report = mine.latest.get();
            if (report != null) put(mine.key, report);
        }
    }

    /**
     * Asks the members of every function's group whether they are still connected, up to {@link #ASKED_PER_ROUND}
     * a round, taking turns: a member that dies is missed within a quarter heartbeat in a group that size, not
     * only once its heartbeats stop. Liveness questions are core NATS messages, not bucket writes.
     */
    private void askMembers() {
        TreeSet<String> known = new TreeSet<>();
        for (HeardMembers view : views.values()) known.addAll(view.others(member));
        if (known.isEmpty()) return;
        List<String> others = new ArrayList<>(known);
        int start = known.headSet(askedUpTo, true).size() % others.size();
        int count = Math.min(ASKED_PER_ROUND, others.size());
        for (int i = 0; i < count; i++) liveness.ask(others.get((start + i) % others.size()));
        askedUpTo = others.get((start + count - 1) % others.size());
    }

    /**
     * A member without a connection to NATS leaves every group once the calls it had running have ended: the
     * function still runs them, so its share is not free before.
     */
    private void gone(String who) {
        long now = ticker.read();
        boolean news = false;
        for (HeardMembers view : views.values()) news |= view.fadeOut(who, now, ttlNanos);
        if (news) log.info("limiter member {} has no connection to NATS: the others take up its share", who);
    }

    private void put(String key, Report report) {
        try {
            jetStream.publishAsync("$KV." + bucket + "." + key, ReportCodec.encode(report))
                    .whenComplete((ack, error) -> {
                        if (error != null) log.debug("limiter report {} not stored: {}", key, error.toString());
                    });
        } catch (RuntimeException e) {
            // The others keep this member's previous report until it expires; the next heartbeat retries.
            log.debug("limiter report {} not sent: {}", key, e.toString());
        }
    }

    private void delete(String key) {
        try {
            kv.delete(key);
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            log.debug("could not delete limiter report {}: {}; it expires after the time to live", key, e.toString());
        }
    }

    private void submit(Runnable task) {
        try {
            executor.execute(task);
        } catch (RuntimeException e) {
            log.debug("limiter coordination closed, not sending: {}", e.toString());
        }
    }

    /** Leaves every group this process joined and stops watching. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        for (String key : joined.keySet()) {
            submit(() -> delete(key));
        }
        joined.clear();
        liveness.close();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            executor.shutdownNow();
        }
        try {
            watch.unsubscribe();
        } catch (RuntimeException e) {
            log.debug("closing the limiter coordination watch failed: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "KvLimiterCoordination[bucket=" + bucket + ", member=" + member + ", ttl=" + Duration.ofNanos(ttlNanos) + "]";
    }

    /** One open membership: its key and the report to keep announcing. */
    private static final class Joined {
        final String key;
        final AtomicReference<Report> latest = new AtomicReference<>();
        final AtomicBoolean dirty = new AtomicBoolean();

        Joined(String key) {
            this.key = key;
        }
    }

    /** Follows every put and delete in the bucket. */
    private final class Watcher implements KeyValueWatcher {
        final CountDownLatch loaded = new CountDownLatch(1);

        @Override
        public void watch(KeyValueEntry entry) {
            String key = entry.getKey();
            int dot = key.lastIndexOf('.');
            if (dot <= 0) return;
            HeardMembers view = views.computeIfAbsent(key.substring(0, dot), t -> new HeardMembers());
            String who = key.substring(dot + 1);
            if (entry.getOperation() != KeyValueOperation.PUT) {
                view.forget(who);
                return;
            }
            Report report = ReportCodec.decode(entry.getValue());
            if (report == null) {
                log.debug("ignoring unreadable limiter report {}", key);
                return;
            }
            long now = ticker.read();
            long heardAt = now;
            if (loaded.getCount() > 0 && entry.getCreated() != null) {
                // Already in the bucket when this process started: as old as its server timestamp says.
                long age = Duration.between(entry.getCreated().toInstant(), Instant.now()).toNanos();
                heardAt = now - Math.max(0, age);
            }
            view.heard(who, report, heardAt);
        }

        @Override
        public void endOfData() {
            loaded.countDown();
        }
    }

    /** Configures a {@link KvLimiterCoordination}. */
    public static final class Builder {
        private final Connection connection;
        private String bucket = DEFAULT_BUCKET;
        private String member;
        private Duration heartbeat = DEFAULT_HEARTBEAT;
        private Duration ttl = DEFAULT_TTL;
        private Ticker ticker = Ticker.system();

        private Builder(Connection connection) {
            this.connection = Objects.requireNonNull(connection, "connection");
        }

        /** The bucket's name ({@value #BUCKET_SETTING}). */
        public Builder bucket(String bucket) {
            if (!bucket.matches("[-a-zA-Z0-9_]+")) throw new IllegalArgumentException("bad bucket name '" + bucket + "'");
            this.bucket = bucket;
            return this;
        }

        /** This process's member id (default: random); members are ranked by it. */
        public Builder member(String member) {
            if (!member.matches("[-a-zA-Z0-9_]+")) throw new IllegalArgumentException("bad member id '" + member + "'");
            this.member = member;
            return this;
        }

        /** How often a member re-announces itself ({@value #HEARTBEAT_SETTING}, 1 s). */
        public Builder heartbeat(Duration heartbeat) {
            if (heartbeat.isNegative() || heartbeat.isZero()) throw new IllegalArgumentException("heartbeat must be positive");
            this.heartbeat = heartbeat;
            return this;
        }

        /** How long a member stays counted after it was last heard from ({@value #TTL_SETTING}, 3 s). */
        public Builder ttl(Duration ttl) {
            if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive");
            this.ttl = ttl;
            return this;
        }

        /** The clock that ages what was heard (default {@link Ticker#system()}). */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /**
         * Applies the {@code limiter_coordination_*} settings that are present.
         *
         * @throws dev.asyncqueue.config.ConfigurationException naming the first setting that cannot be used
         */
        public Builder settings(Settings settings) {
            settings.get(BUCKET_SETTING).ifPresent(this::bucket);
            heartbeat(settings.duration(HEARTBEAT_SETTING, heartbeat));
            ttl(settings.duration(TTL_SETTING, ttl));
            if (ttl.compareTo(heartbeat) <= 0) {
                throw new dev.asyncqueue.config.ConfigurationException(TTL_SETTING,
                        "must be longer than " + HEARTBEAT_SETTING + " (" + heartbeat + "), got " + ttl);
            }
            return this;
        }

        /** Opens the bucket, creating it when absent, and loads what it holds. */
        public KvLimiterCoordination build() {
            if (ttl.compareTo(heartbeat) <= 0) {
                throw new IllegalArgumentException("ttl " + ttl + " must be longer than the heartbeat " + heartbeat);
            }
            try {
                return new KvLimiterCoordination(this);
            } catch (IOException | JetStreamApiException e) {
                throw new QueueUnavailableException("cannot open limiter coordination bucket " + bucket + ": "
                        + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QueueUnavailableException("interrupted while opening limiter coordination bucket " + bucket, e);
            }
        }
    }
}
