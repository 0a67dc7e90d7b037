package dev.asyncqueue.examples;

import dev.asyncqueue.AsyncQueue;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Picks the queue an ingested call goes to, as the OpenFaaS gateway does with the function
 * annotation {@code com.openfaas.queue}: a caller's {@code X-Queue-Name}, else the function's
 * queue from {@code function_queues} ({@code fn=queue,...}), else the default queue. Only queues
 * named in the configuration ({@link AppConfig}) are served, so a request cannot create streams at will.
 */
final class QueueRouter {
    /** The annotation OpenFaaS uses to put a function on a named queue. */
    static final String QUEUE_ANNOTATION = "com.openfaas.queue";

    private final String defaultQueue;
    private final Map<String, String> functionQueues;
    private final Set<String> allowed;
    private final Function<String, AsyncQueue> opener;
    private final Map<String, AsyncQueue> open = new ConcurrentHashMap<>();

    /** Routes by {@code functionQueues}; serves those queues, the default one and {@code extraQueues}. */
    QueueRouter(String defaultQueue, Map<String, String> functionQueues, Set<String> extraQueues,
                Function<String, AsyncQueue> opener) {
        this.defaultQueue = defaultQueue;
        this.functionQueues = Map.copyOf(functionQueues);
        TreeSet<String> names = new TreeSet<>(extraQueues);
        names.add(defaultQueue);
        names.addAll(functionQueues.values());
        this.allowed = Set.copyOf(names);
        this.opener = opener;
    }

    /** The queue name for a call, or empty when the caller asked for a queue this ingest does not serve. */
    Optional<String> queueFor(String function, String requestedQueue) {
        if (requestedQueue != null && !requestedQueue.isBlank()) {
            String name = requestedQueue.trim();
            return allowed.contains(name) ? Optional.of(name) : Optional.empty();
        }
        return Optional.of(functionQueues.getOrDefault(function, defaultQueue));
    }

    /** Whether calls to the function are routed by its queue annotation. */
    boolean hasQueueAnnotation(String function) {
        return functionQueues.containsKey(function);
    }

    /** The queue by name, opened (and its stream created) on first use. */
    AsyncQueue queue(String name) {
        return open.computeIfAbsent(name, opener);
    }

    /** The queue by name when already open: no round trip to NATS. */
    Optional<AsyncQueue> opened(String name) {
        return Optional.ofNullable(open.get(name));
    }

    /** The queues this ingest serves. */
    Set<String> allowed() {
        return allowed;
    }
}
