package dev.asyncqueue.callback;

import dev.asyncqueue.CallHeaders;
import dev.asyncqueue.InvocationResult;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks each callback against a {@link CallbackPolicy} just before it is posted (resolving the host,
 * so a name pointing at a metadata address is caught) and, with a {@link CallbackSigner}, adds the
 * timestamp and signature headers (signing the status the sender reports as {@code X-Function-Status});
 * then hands it to the sender that posts it. A host name is looked up on threads of the guard's own, so
 * the thread that sends (an HTTP client's I/O thread, when a call's completion sends its callback) never
 * waits on DNS.
 */
public final class GuardedCallbackSender implements CallbackSender {
    // A lookup that hangs (a resolver timing out) holds one of these threads, never the caller's; a few at once
    // is plenty, since the platform caches what it resolved.
    private static final int LOOKUP_THREADS = 4;
    private static final ThreadPoolExecutor LOOKUPS = lookupThreads();

    private final CallbackSender delegate;
    private final CallbackPolicy policy;
    private final Optional<CallbackSigner> signer;

    /** Guards {@code delegate} with {@code policy}, signing with {@code signer} when present. */
    public GuardedCallbackSender(CallbackSender delegate, CallbackPolicy policy, Optional<CallbackSigner> signer) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.signer = Objects.requireNonNull(signer, "signer");
    }

    @Override
    public CompletionStage<Integer> send(Callback callback) {
        Optional<String> refused = policy.refusal(callback.url());
        if (refused.isPresent()) {
            return CompletableFuture.failedFuture(new CallbackRefusedException(refused.get()));
        }
        if (!policy.needsLookup(callback.url())) return signedAndSent(callback);
        // Posted from the thread that looked up too, so the caller does no more than hand the callback over.
        return CompletableFuture.supplyAsync(() -> {
            Optional<String> afterLookup = policy.refusalAfterResolving(callback.url());
            return afterLookup.isPresent()
                    ? CompletableFuture.<Integer>failedFuture(new CallbackRefusedException(afterLookup.get()))
                    : signedAndSent(callback).toCompletableFuture();
        }, LOOKUPS).thenCompose(sent -> sent);
    }

    private CompletionStage<Integer> signedAndSent(Callback callback) {
        if (signer.isEmpty()) return delegate.send(callback);
        InvocationResult result = callback.result();
        // A function must not be able to choose the signature or the timestamp its callback carries.
        Map<String, List<String>> headers = new LinkedHashMap<>();
        result.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase(CallHeaders.CALLBACK_SIGNATURE) && !name.equalsIgnoreCase(CallHeaders.CALLBACK_TIMESTAMP)) {
                headers.put(name, new ArrayList<>(values));
            }
        });
        long timestamp = signer.get().timestamp();
        headers.put(CallHeaders.CALLBACK_TIMESTAMP, List.of(Long.toString(timestamp)));
        headers.put(CallHeaders.CALLBACK_SIGNATURE, List.of(signer.get().sign(callback.invocation().callId(), timestamp,
                result.status(), result.body())));
        InvocationResult signed = new InvocationResult(result.status(), headers, result.body(), result.duration(),
                result.transportError());
        return delegate.send(new Callback(callback.url(), callback.invocation(), signed, callback.retries(), callback.maxRetries()));
    }

    private static ThreadPoolExecutor lookupThreads() {
        AtomicInteger counter = new AtomicInteger();
        ThreadPoolExecutor threads = new ThreadPoolExecutor(LOOKUP_THREADS, LOOKUP_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), lookup -> {
                    Thread t = new Thread(lookup, "async-queue-callback-lookup-" + counter.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        // Daemon threads that end when idle: a guard needs no closing.
        threads.allowCoreThreadTimeOut(true);
        return threads;
    }

    @Override
    public String toString() {
        return "GuardedCallbackSender[" + policy + ", signed=" + signer.isPresent() + "]";
    }
}
