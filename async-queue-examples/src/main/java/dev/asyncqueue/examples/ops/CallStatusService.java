package dev.asyncqueue.examples.ops;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.examples.web.Route;
import dev.asyncqueue.nats.KvStatusStore;
import dev.asyncqueue.status.StatusRecorder;
import dev.asyncqueue.status.StatusStore;
import dev.asyncqueue.worker.Cancellations;
import dev.asyncqueue.worker.FreeReturns;
import dev.asyncqueue.worker.WorkerListener;
import io.nats.client.Connection;
import io.nats.client.api.StorageType;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Call status and cancellation ({@code status_enabled}): each call's state kept in a key-value bucket, the
 * recorder that writes it as ingest stores a call and the worker runs it, the routes that serve it
 * ({@code GET /async-function/status/{id}}, {@code DELETE /async-function/{id}}), and the cancellations the
 * worker hears of. When off, queues and listeners pass through untouched and the routes answer 501.
 */
public final class CallStatusService implements AutoCloseable {
    private final KvStatusStore store;
    private final StatusRecorder recorder;

    private CallStatusService(KvStatusStore store) {
        this.store = store;
        this.recorder = store == null ? null : new StatusRecorder(store, Clock.systemUTC());
    }

    /** Call status switched off. */
    public static CallStatusService off() {
        return new CallStatusService(null);
    }

    /**
     * Opens (and creates when missing) the bucket on the connection.
     *
     * @param bucket              the key-value bucket ({@code status_bucket})
     * @param ttl                 how long a call's state is kept after its last change ({@code status_ttl})
     * @param replicas            the bucket's replicas, as the queue's stream
     * @param memory              memory storage instead of file, as the queue's stream
     * @param watchCancellations  whether this process runs a worker that must hear of cancellations
     */
    public static CallStatusService open(Connection connection, String bucket, Duration ttl, int replicas,
                                         boolean memory, boolean watchCancellations) {
        return new CallStatusService(KvStatusStore.builder(connection).bucket(bucket).ttl(ttl).replicas(replicas)
                .storage(memory ? StorageType.Memory : StorageType.File).watchCancellations(watchCancellations).build());
    }

    /** The queue as ingest should use it: calls recorded as queued when status is on. */
    public AsyncQueue track(AsyncQueue queue) {
        return recorder == null ? queue : recorder.track(queue);
    }

    /** What the worker reports to: {@code others}, and the call states when status is on. */
    public WorkerListener listener(WorkerListener others) {
        return recorder == null ? others : WorkerListener.all(others, recorder);
    }

    /** Where the worker hears of cancellations. */
    public Cancellations cancellations() {
        return store == null ? Cancellations.NONE : store;
    }

    /**
     * Where the worker counts returns that did not use up a retry: the status bucket when status is on, so
     * the count survives a restart; the worker's memory otherwise.
     */
    public FreeReturns freeReturns() {
        return store == null ? FreeReturns.inMemory() : store.freeReturns();
    }

    /** The status store, when call status is on. */
    public Optional<StatusStore> store() {
        return Optional.ofNullable(store);
    }

    /** The ingest route with the status and cancellation routes in front. */
    public Route routes(Route ingest) {
        return new StatusRoutes(ingest, store(), Clock.systemUTC());
    }

    /** Stops watching the bucket. */
    @Override
    public void close() {
        if (store != null) store.close();
    }
}
