package dev.asyncqueue.nats;

import dev.asyncqueue.QueueUnavailableException;
import dev.asyncqueue.status.CallState;
import dev.asyncqueue.status.CallStatus;
import dev.asyncqueue.status.StatusStore;
import dev.asyncqueue.worker.FreeReturns;
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
import io.nats.client.support.Encoding;
import io.nats.client.support.JsonParseException;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Call states in a JetStream key-value bucket (default {@value #DEFAULT_BUCKET}, entries expire after the
 * bucket's time to live). Keys are {@code call.<token>} for states and {@code cancel.<token>} for
 * cancellation requests, the token being the call id encoded as {@link Subjects#encodeToken} does, so any
 * call id is a valid key. States are written without waiting (an asynchronous publish to the key's
 * subject, in order on the connection); every store watches {@code cancel.>} and keeps the cancelled ids
 * it heard of, so asking "is this call cancelled?" costs no request.
 */
public final class KvStatusStore implements StatusStore, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KvStatusStore.class);
    /** The bucket used unless configured ({@code status_bucket}). */
    public static final String DEFAULT_BUCKET = "async-queue-status";
    /** Cancelled ids remembered locally at most; older ones still read from the bucket's watch on restart. */
    private static final int MAX_REMEMBERED = 100_000;

    private final Connection connection;
    private final String bucket;
    private final KeyValue kv;
    private final JetStream jetStream;
    private final Set<String> cancelled = Collections.synchronizedSet(Collections.newSetFromMap(
            new LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > MAX_REMEMBERED;
                }
            }));
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final NatsKeyValueWatchSubscription watch;

    private KvStatusStore(Builder b) throws IOException, JetStreamApiException, InterruptedException {
        this.connection = b.connection;
        this.bucket = b.bucket;
        KeyValueManagement kvm = connection.keyValueManagement();
        try {
            kvm.getStatus(bucket);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != JetStreamQueue.STREAM_NOT_FOUND) throw e;
            kvm.create(KeyValueConfiguration.builder()
                    .name(bucket)
                    .ttl(b.ttl)
                    .storageType(b.storage)
                    .replicas(b.replicas)
                    .maxHistoryPerKey(1)
                    .build());
            log.info("created status bucket {} (entries kept {})", bucket, b.ttl);
        }
        this.kv = connection.keyValue(bucket);
        this.jetStream = connection.jetStream();
        this.watch = b.watchCancellations ? kv.watch("cancel.>", new CancelWatcher()) : null;
    }

    /** A store on {@code connection}; the bucket is created when absent. */
    public static Builder builder(Connection connection) {
        return new Builder(connection);
    }

    @Override
    public void update(CallStatus status) {
        try {
            jetStream.publishAsync("$KV." + bucket + "." + callKey(status.callId()), toJson(status))
                    .whenComplete((ack, error) -> {
                        if (error != null) log.debug("status of {} not stored: {}", status.callId(), error.toString());
                    });
        } catch (RuntimeException e) {
            // Status is advisory: the call itself goes on even when it cannot be recorded.
            log.debug("status of {} not stored: {}", status.callId(), e.toString());
        }
    }

    @Override
    public Optional<CallStatus> get(String callId) {
        try {
            KeyValueEntry entry = kv.get(callKey(callId));
            if (entry == null || entry.getOperation() != KeyValueOperation.PUT || entry.getValue() == null) {
                return Optional.empty();
            }
            return Optional.ofNullable(fromJson(entry.getValue()));
        } catch (IOException | JetStreamApiException e) {
            throw new QueueUnavailableException("cannot read status of " + callId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void requestCancel(String callId) {
        try {
            kv.put(cancelKey(callId), Instant.now().toString());
        } catch (IOException | JetStreamApiException e) {
            throw new QueueUnavailableException("cannot cancel " + callId + ": " + e.getMessage(), e);
        }
        heard(callId);
    }

    @Override
    public boolean isCancelled(String callId) {
        return cancelled.contains(callId);
    }

    @Override
    public void onCancel(Consumer<String> listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    private void heard(String callId) {
        if (!cancelled.add(callId)) return;
        for (Consumer<String> listener : listeners) {
            try {
                listener.accept(callId);
            } catch (RuntimeException e) {
                log.warn("cancellation listener failed for {}: {}", callId, e.toString());
            }
        }
    }

    /**
     * Free returns counted in this bucket, for {@code QueueWorkerBuilder.freeReturns}: they survive a
     * restart of the worker and are shared by all workers of the queue.
     */
    public FreeReturns freeReturns() {
        return new KvFreeReturns(bucket, kv, jetStream);
    }

    /** The bucket's name. */
    public String bucket() {
        return bucket;
    }

    @Override
    public void close() {
        if (watch != null) {
            try {
                watch.unsubscribe();
            } catch (RuntimeException e) {
                log.debug("closing the cancellation watch failed: {}", e.toString());
            }
        }
    }

    static String callKey(String callId) {
        return "call." + Subjects.encodeToken(callId);
    }

    static String cancelKey(String callId) {
        return "cancel." + Subjects.encodeToken(callId);
    }

    /** The JSON a state is stored as, and served as by {@code GET /async-function/status/{call-id}}. */
    public static byte[] toJson(CallStatus s) {
        StringBuilder sb = new StringBuilder(256).append('{');
        field(sb, "call_id", s.callId()).append(',');
        field(sb, "function", s.function()).append(',');
        field(sb, "queue", s.queue()).append(',');
        field(sb, "state", s.state().wireName()).append(',');
        sb.append("\"attempt\":").append(s.attempt()).append(',');
        sb.append("\"status\":").append(s.lastStatus()).append(',');
        field(sb, "updated", s.updated().toString()).append(',');
        field(sb, "detail", s.detail());
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static StringBuilder field(StringBuilder sb, String name, String value) {
        sb.append('"').append(name).append("\":\"");
        Encoding.jsonEncode(sb, value);
        return sb.append('"');
    }

    static CallStatus fromJson(byte[] json) {
        try {
            JsonValue root = JsonParser.parse(json);
            if (root == null || root.type != JsonValue.Type.MAP) return null;
            Map<String, JsonValue> m = root.map;
            return new CallStatus(str(m, "call_id"), str(m, "function"), str(m, "queue"),
                    CallState.fromWireName(str(m, "state")), num(m, "attempt"), num(m, "status"),
                    Instant.parse(str(m, "updated")), str(m, "detail"));
        } catch (JsonParseException | RuntimeException e) {
            log.debug("unreadable status entry: {}", e.toString());
            return null;
        }
    }

    private static String str(Map<String, JsonValue> m, String key) {
        JsonValue v = m.get(key);
        return v == null || v.string == null ? "" : v.string;
    }

    private static int num(Map<String, JsonValue> m, String key) {
        JsonValue v = m.get(key);
        return v == null || v.i == null ? (v != null && v.l != null ? v.l.intValue() : 0) : v.i;
    }

    /** Adds the id of every cancellation put into the bucket, including those made before this store started. */
    private final class CancelWatcher implements KeyValueWatcher {
        @Override
        public void watch(KeyValueEntry entry) {
            if (entry.getOperation() != KeyValueOperation.PUT) return;
            String key = entry.getKey();
            try {
                heard(Subjects.decodeToken(key.substring("cancel.".length())));
            } catch (RuntimeException e) {
                log.debug("ignoring cancellation key {}", key);
            }
        }

        @Override
        public void endOfData() {
        }
    }

    /** Configures a {@link KvStatusStore}. */
    public static final class Builder {
        private final Connection connection;
        private String bucket = DEFAULT_BUCKET;
        private Duration ttl = Duration.ofHours(24);
        private StorageType storage = StorageType.File;
        private int replicas = 1;
        private boolean watchCancellations = true;

        private Builder(Connection connection) {
            this.connection = Objects.requireNonNull(connection);
        }

        /** The bucket's name ({@code status_bucket}). */
        public Builder bucket(String bucket) {
            if (!bucket.matches("[-a-zA-Z0-9_]+")) throw new IllegalArgumentException("bad bucket name '" + bucket + "'");
            this.bucket = bucket;
            return this;
        }

        /** How long a state is kept after its last update ({@code status_ttl}, 24h); used when the bucket is created. */
        public Builder ttl(Duration ttl) {
            if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive");
            this.ttl = ttl;
            return this;
        }

        /** File (default) or memory storage, used when the bucket is created. */
        public Builder storage(StorageType storage) { this.storage = Objects.requireNonNull(storage); return this; }

        /** Bucket replicas, used when the bucket is created (1). */
        public Builder replicas(int replicas) { this.replicas = replicas; return this; }

        /** Whether to follow cancellations (true; an ingest-only process need not). */
        public Builder watchCancellations(boolean watch) { this.watchCancellations = watch; return this; }

        /** Opens the bucket, creating it when absent, and starts following cancellations. */
        public KvStatusStore build() {
            try {
                return new KvStatusStore(this);
            } catch (IOException | JetStreamApiException e) {
                throw new QueueUnavailableException("cannot open status bucket " + bucket + ": " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QueueUnavailableException("interrupted while opening status bucket " + bucket, e);
            }
        }
    }
}
