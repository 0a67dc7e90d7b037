package dev.asyncqueue.limiter;

import dev.asyncqueue.ConcurrencyLimiter;
import dev.asyncqueue.LimiterLookup;
import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;
import dev.asyncqueue.Ticker;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.spi.ConcurrencyLimiterProvider;
import dev.asyncqueue.spi.LimiterContext;
import dev.asyncqueue.spi.LimiterCoordination;
import dev.asyncqueue.spi.Providers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Keeps one concurrency limiter per function, made by a {@link ConcurrencyLimiterProvider} on first use
 * and dropped once the function has been idle for a while.
 *
 * <p>A function annotated {@value #MAX_INFLIGHT_ANNOTATION}{@code =<n>} (a positive whole number) gets a
 * {@link FixedConcurrencyLimiter} of {@code n} whatever the provider; an invalid value is ignored with a
 * warning. When a function's value of that annotation changes, its limiter is replaced; calls already
 * running finish under the old one.
 *
 * <p>Idle means no permit in flight and no acquire or release for the idle timeout. The registry has
 * no thread of its own: a worker given it ({@code QueueWorkerBuilder.limiters}) runs {@link #evictIdle()} on
 * its timer thread, any other caller runs it from time to time; the injected
 * {@link Ticker} says how long things have been idle. Eviction and acquisition of one function are
 * serialised, so a permit is never granted by a limiter that has just been dropped.
 *
 * <p>Settings read by {@link #fromSettings}: {@value #ENABLED_SETTING} (default {@code true}; {@code
 * false} selects {@code none}), {@value #PROVIDER_SETTING} (default {@code adaptive}; {@code fixed},
 * {@code none} or any provider on the class path) and {@value #IDLE_TIMEOUT_SETTING} (default
 * {@code 5m}); the chosen provider reads its own.
 *
 * <p>With a {@link Builder#coordination coordination}, the provider's limiters meet the limiters of the
 * other worker replicas pacing the same function; a limiter dropped for idleness or replaced is closed,
 * so it leaves its group.
 */
public final class LimiterRegistry implements LimiterLookup {
    private static final Logger log = LoggerFactory.getLogger(LimiterRegistry.class);

    /** Function annotation that fixes the function's concurrency limit. */
    public static final String MAX_INFLIGHT_ANNOTATION = "com.openfaas.queue.max_inflight";
    /** Setting that switches adaptive concurrency on or off. */
    public static final String ENABLED_SETTING = "limiter_enabled";
    /** Setting that names the limiter provider. */
    public static final String PROVIDER_SETTING = "limiter_provider";
    /** Setting for how long a function stays idle before its limiter is dropped. */
    public static final String IDLE_TIMEOUT_SETTING = "limiter_idle_timeout";
    /** The idle timeout when none is configured. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

    private final ConcurrencyLimiterProvider provider;
    private final Settings settings;
    private final Ticker ticker;
    private final LimiterCoordination coordination;
    private final Duration idleTimeout;
    private final long idleTimeoutNanos;
    private final ConcurrentHashMap<String, LimiterEntry> entries = new ConcurrentHashMap<>();

    private LimiterRegistry(Builder b) {
        this.provider = Objects.requireNonNull(b.provider, "provider");
        this.settings = b.settings;
        this.ticker = b.ticker;
        this.coordination = b.coordination;
        this.idleTimeout = b.idleTimeout;
        this.idleTimeoutNanos = b.idleTimeout.toNanos();
    }

    /** A builder; only the provider is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@link #fromSettings(Settings, Ticker, LimiterCoordination)} without coordination. */
    public static LimiterRegistry fromSettings(Settings settings, Ticker ticker) {
        return fromSettings(settings, ticker, LimiterCoordination.none());
    }

    /**
     * A registry configured from {@code settings} as described above, whose limiters meet those of the
     * other replicas through {@code coordination}.
     *
     * @throws ConfigurationException naming the setting that cannot be used
     */
    public static LimiterRegistry fromSettings(Settings settings, Ticker ticker, LimiterCoordination coordination) {
        boolean enabled = settings.bool(ENABLED_SETTING, true);
        String name = settings.string(PROVIDER_SETTING, AdaptiveLimiterProvider.NAME);
        if (!enabled) {
            if (!name.equals(AdaptiveLimiterProvider.NAME)) {
                log.info("{}=false, so {}={} is not used", ENABLED_SETTING, PROVIDER_SETTING, name);
            }
            name = UnlimitedLimiterProvider.NAME;
        }
        ConcurrencyLimiterProvider provider;
        try {
            provider = Providers.limiter(name);
        } catch (IllegalStateException e) {
            throw new ConfigurationException(PROVIDER_SETTING, e.getMessage());
        }
        Duration idle = settings.duration(IDLE_TIMEOUT_SETTING, DEFAULT_IDLE_TIMEOUT);
        if (idle.isNegative() || idle.isZero()) {
            throw new ConfigurationException(IDLE_TIMEOUT_SETTING, "must be positive, got " + settings.get(IDLE_TIMEOUT_SETTING).orElse(""));
        }
        return builder().provider(provider).settings(settings).ticker(ticker).idleTimeout(idle)
                .coordination(coordination).build();
    }

    /**
     * The function's limiter, as a handle that always acts on the function's current limiter: after an
     * eviction it transparently gets a new one. Acquiring through it counts as activity and applies the
     * handle's annotations; reading {@code limit()} or {@code inFlight()} does neither, so metrics may
     * read through any handle (a {@code limit()} with no limiter yet makes one).
     */
    @Override
    public ConcurrencyLimiter limiterFor(String function, Map<String, String> annotations) {
        Objects.requireNonNull(function, "function");
        return new Handle(function, annotations == null ? Map.of() : Map.copyOf(annotations));
    }

    /**
     * A permit for one invocation of {@code function} if its limiter allows one now.
     *
     * @param annotations the function's annotations as last seen; may carry {@value #MAX_INFLIGHT_ANNOTATION}
     */
    public Optional<Permit> tryAcquire(String function, Map<String, String> annotations) {
        Objects.requireNonNull(function, "function");
        return acquire(function, annotations == null ? Map.of() : annotations);
    }

    /** A permit for one invocation of {@code function}, its annotations as last seen. */
    public Optional<Permit> tryAcquire(String function) {
        Objects.requireNonNull(function, "function");
        return acquire(function, null);
    }

    /**
     * Drops the limiters of functions idle for the idle timeout or longer.
     *
     * @return the functions whose limiters were dropped
     */
    @Override
    public List<String> evictIdle() {
        long now = ticker.read();
        List<String> evicted = new ArrayList<>();
        for (String function : entries.keySet()) {
            entries.computeIfPresent(function, (f, entry) -> {
                if (entry.limiter.inFlight() == 0 && now - entry.lastActivity >= idleTimeoutNanos) {
                    evicted.add(f);
                    closeQuietly(f, entry.limiter);
                    return null;
                }
                return entry;
            });
        }
        if (!evicted.isEmpty()) {
            log.debug("dropped the limiters of idle functions {}", evicted);
        }
        return evicted;
    }

    /**
     * False only with the {@code none} provider ({@value #ENABLED_SETTING}{@code =false}): a 429 then counts as a
     * retry, as with no limiter at all, even for a function whose annotation fixes its limit.
     */
    @Override
    public boolean limits() {
        return !provider.name().equals(UnlimitedLimiterProvider.NAME);
    }

    /** The functions that have a limiter now, sorted. */
    public Set<String> functions() {
        return new TreeSet<>(entries.keySet());
    }

    /** The provider that makes limiters for functions without a fixed limit. */
    public String providerName() {
        return provider.name();
    }

    /** How long a function stays idle before its limiter is dropped. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    @Override
    public String toString() {
        return "LimiterRegistry[provider=" + provider.name() + ", functions=" + entries.size()
                + ", idleTimeout=" + idleTimeout + "]";
    }

    /** {@code annotations == null} means "as last seen". */
    private Optional<Permit> acquire(String function, Map<String, String> annotations) {
        // Inside compute, so that evictIdle cannot drop the entry between the lookup and the grant.
        AtomicReference<Optional<Permit>> granted = new AtomicReference<>(Optional.empty());
        entries.compute(function, (f, existing) -> {
            long now = ticker.read();
            LimiterEntry entry = existing;
            if (entry == null || (annotations != null && !entry.matches(annotations))) {
                entry = create(f, annotations == null ? Map.of() : annotations, existing);
            }
            entry.lastActivity = now;
            LimiterEntry owner = entry;
            granted.set(entry.limiter.tryAcquire().map(permit -> new TrackedPermit(owner, permit)));
            return entry;
        });
        return granted.get();
    }

    /** The function's entry for reading: an existing one as it is, whatever the annotations. */
    private LimiterEntry forReading(String function, Map<String, String> annotations) {
        LimiterEntry existing = entries.get(function);
        if (existing != null) {
            return existing;
        }
        return entries.computeIfAbsent(function, f -> {
            LimiterEntry created = create(f, annotations, null);
            created.lastActivity = ticker.read();
            return created;
        });
    }

    private LimiterEntry create(String function, Map<String, String> annotations, LimiterEntry replaced) {
        String raw = annotations.get(MAX_INFLIGHT_ANNOTATION);
        ConcurrencyLimiter limiter = null;
        if (raw != null) {
            OptionalInt fixed = LimiterEntry.positiveInteger(raw);
            if (fixed.isPresent()) {
                limiter = FixedConcurrencyLimiter.of(function, fixed.getAsInt());
            } else {
                log.warn("function {}: ignoring annotation {}='{}', expected a positive whole number; using the {} limiter",
                        function, MAX_INFLIGHT_ANNOTATION, raw, provider.name());
            }
        }
        if (limiter == null) {
            limiter = Objects.requireNonNull(provider.create(new LimiterContext(function, annotations, settings, ticker,
                            coordination)),
                    () -> "limiter provider " + provider.name() + " returned null for " + function);
        }
        if (replaced != null) {
            closeQuietly(function, replaced.limiter);
            log.info("function {}: {} changed from '{}' to '{}', replacing its limiter; {} calls finish under the old one",
                    function, MAX_INFLIGHT_ANNOTATION, replaced.override, raw, replaced.limiter.inFlight());
        }
        return new LimiterEntry(limiter, raw);
    }

    /** Lets a dropped limiter leave its group; the registry goes on whatever it throws. */
    private static void closeQuietly(String function, ConcurrencyLimiter limiter) {
        try {
            if (limiter instanceof AutoCloseable closeable) closeable.close();
        } catch (Exception e) {
            log.warn("function {}: closing its dropped limiter failed: {}", function, e.toString());
        }
    }

    /** Marks its function active when released, so a long call does not look idle the moment it ends. */
    private final class TrackedPermit implements Permit {
        private final LimiterEntry entry;
        private final Permit delegate;

        TrackedPermit(LimiterEntry entry, Permit delegate) {
            this.entry = entry;
            this.delegate = delegate;
        }

        @Override
        public void release(Outcome outcome) {
            // Before the delegate, so eviction never sees in-flight 0 with the acquire time as the last activity.
            entry.lastActivity = ticker.read();
            delegate.release(outcome);
        }

        @Override
        public String toString() {
            return delegate.toString();
        }
    }

    /** A function's limiter as seen through the registry. */
    private final class Handle implements ConcurrencyLimiter {
        private final String function;
        private final Map<String, String> annotations;

        Handle(String function, Map<String, String> annotations) {
            this.function = function;
            this.annotations = annotations;
        }

        @Override
        public Optional<Permit> tryAcquire() {
            return acquire(function, annotations);
        }

        @Override
        public int limit() {
            return forReading(function, annotations).limiter.limit();
        }

        @Override
        public int inFlight() {
            LimiterEntry entry = entries.get(function);
            return entry == null ? 0 : entry.limiter.inFlight();
        }

        @Override
        public String toString() {
            LimiterEntry entry = entries.get(function);
            return entry == null ? "limiter of " + function + " (none yet)" : entry.limiter.toString();
        }
    }

    /** Configures a {@link LimiterRegistry}. */
    public static final class Builder {
        private ConcurrencyLimiterProvider provider;
        private Settings settings = Settings.empty();
        private Ticker ticker = Ticker.system();
        private LimiterCoordination coordination = LimiterCoordination.none();
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;

        private Builder() {
        }

        /** How the limiters meet those of the other worker replicas (default {@link LimiterCoordination#none()}). */
        public Builder coordination(LimiterCoordination coordination) {
            this.coordination = Objects.requireNonNull(coordination, "coordination");
            return this;
        }

        /** Makes the limiters of functions without a fixed limit (required). */
        public Builder provider(ConcurrencyLimiterProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** Handed to the provider with each function (default: none). */
        public Builder settings(Settings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** The clock for idleness, also handed to the provider (default {@link Ticker#system()}). */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** How long a function stays idle before its limiter is dropped (default 5 minutes). */
        public Builder idleTimeout(Duration idleTimeout) {
            if (idleTimeout.isNegative() || idleTimeout.isZero()) {
                throw new IllegalArgumentException("idle timeout must be positive, got " + idleTimeout);
            }
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * The registry. Makes one throw-away limiter first, so settings the provider cannot use fail
         * here, at startup, rather than at a function's first invocation.
         *
         * @throws ConfigurationException naming a setting the provider cannot use
         */
        public LimiterRegistry build() {
            Objects.requireNonNull(provider, "provider");
            provider.create(new LimiterContext("(settings check)", Map.of(), settings, ticker));
            return new LimiterRegistry(this);
        }
    }
}
