package dev.asyncqueue.nats;

import dev.asyncqueue.worker.FreeReturns;
import io.nats.client.JetStream;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.KeyValueOperation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Free returns counted in the status bucket ({@code returns.<token>}), so a restarted worker, or another
 * worker of the queue, picks up a call's count where the last one left it.
 *
 * <p>A call is held by one worker at a time (the stream is a work queue), so counts have one writer at a
 * time and a plain put suffices. Writes are asynchronous; a count is read from the bucket only when a call
 * comes back (never on its first delivery), and the larger of that and this worker's own memory wins, so a
 * write still in flight is not lost to a read. When the bucket cannot be reached the local count answers:
 * the call then gets fewer retries than allowed, never more. Entries expire with the bucket's time to live.
 */
final class KvFreeReturns implements FreeReturns {
    private static final Logger log = LoggerFactory.getLogger(KvFreeReturns.class);
    private static final int MAX_REMEMBERED = 100_000;

    private final String bucket;
    private final KeyValue kv;
    private final JetStream jetStream;
    private final Map<String, Integer> local = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            return size() > MAX_REMEMBERED;
        }
    });

    KvFreeReturns(String bucket, KeyValue kv, JetStream jetStream) {
        this.bucket = bucket;
        this.kv = kv;
        this.jetStream = jetStream;
    }

    static String key(String callId) {
        return "returns." + Subjects.encodeToken(callId);
    }

    @Override
    public void record(String callId) {
        int count = count(callId) + 1;
        local.put(callId, count);
        try {
            jetStream.publishAsync("$KV." + bucket + "." + key(callId),
                    Integer.toString(count).getBytes(StandardCharsets.US_ASCII))
                    .whenComplete((ack, error) -> {
                        if (error != null) log.debug("free returns of {} not stored: {}", callId, error.toString());
                    });
        } catch (RuntimeException e) {
            log.debug("free returns of {} not stored: {}", callId, e.toString());
        }
    }

    @Override
    public int count(String callId) {
        int known = local.getOrDefault(callId, 0);
        try {
            KeyValueEntry entry = kv.get(key(callId));
            if (entry == null || entry.getOperation() != KeyValueOperation.PUT || entry.getValue() == null) return known;
            int stored = Integer.parseInt(new String(entry.getValue(), StandardCharsets.US_ASCII).trim());
            return Math.max(known, stored);
        } catch (Exception e) {
            // An unreadable count is taken as what this worker knows: fewer retries, never more.
            log.debug("free returns of {} not read: {}", callId, e.toString());
            return known;
        }
    }

    @Override
    public void forget(String callId) {
        local.remove(callId);
        // The bucket's entry expires with its time to live; deleting it would cost a request per call.
    }
}
