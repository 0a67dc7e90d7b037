package dev.asyncqueue.config;

import dev.asyncqueue.callback.CallbackPolicy;
import dev.asyncqueue.callback.CallbackSigner;
import dev.asyncqueue.retry.Backoff;
import dev.asyncqueue.retry.RetryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The api module's one reading of configuration: each setting name (an environment variable, spelled as
 * the OpenFaaS queue-worker spells it) and each function annotation it knows, mapped to the value type
 * that takes it as a plain value. A bad setting fails with a {@link ConfigurationException} naming it; a
 * bad annotation is logged and ignored, so one function's typo cannot stop the worker.
 *
 * <table class="striped">
 * <caption>Settings</caption>
 * <thead><tr><th>name</th><th>default</th><th>read by</th><th>meaning</th></tr></thead>
 * <tbody>
 * <tr><td>{@value #MAX_RETRY_ATTEMPTS}</td><td>10</td><td>{@link #retryPolicy(Settings)}</td>
 *     <td>attempts in all, the first included (1 to 10000)</td></tr>
 * <tr><td>{@value #RETRY_HTTP_CODES}</td><td>408,429,500,502,503,504</td><td>{@link #retryPolicy(Settings)}</td>
 *     <td>statuses retried; transport failures always are</td></tr>
 * <tr><td>{@value #INITIAL_RETRY_WAIT}</td><td>10s</td><td>{@link #retryPolicy(Settings)}</td>
 *     <td>wait before the first retry</td></tr>
 * <tr><td>{@value #MAX_RETRY_WAIT}</td><td>120s</td><td>{@link #retryPolicy(Settings)}</td>
 *     <td>cap on the computed wait; not below the initial wait</td></tr>
 * <tr><td>{@value #BACKOFF}</td><td>exponential</td><td>{@link #retryPolicy(Settings)}</td>
 *     <td>{@code exponential}, {@code full} or {@code equal} (jitter)</td></tr>
 * <tr><td>{@value #CALLBACK_ALLOWED_HOSTS}</td><td>any host</td><td>{@link #callbackPolicy(Settings)}</td>
 *     <td>comma-separated hosts callbacks may go to; {@code *.domain} for subdomains</td></tr>
 * <tr><td>{@value #CALLBACK_ALLOW_LINK_LOCAL}</td><td>false</td><td>{@link #callbackPolicy(Settings)}</td>
 *     <td>let callbacks reach link-local and metadata addresses</td></tr>
 * <tr><td>{@value #CALLBACK_SIGNING_SECRET}</td><td>none</td><td>{@link #callbackSigner(Settings)}</td>
 *     <td>HMAC-SHA256 secret for signed callbacks, at least 16 characters</td></tr>
 * <tr><td>{@value #GATEWAY_URL}</td><td>http://127.0.0.1:8080</td><td>{@link #gatewayUrl(Settings)}</td>
 *     <td>functions are invoked at {@code <gateway_url>/function/<name>}</td></tr>
 * <tr><td>{@value #UPSTREAM_TIMEOUT}</td><td>1m</td><td>{@link #upstreamTimeout(Settings)}</td>
 *     <td>time allowed for one function call</td></tr>
 * <tr><td>{@value #MAX_INFLIGHT}</td><td>50</td><td>{@link #maxInflight(Settings)}</td>
 *     <td>calls at once; the HTTP invoker sizes its threads and pooled connections by it</td></tr>
 * <tr><td>{@value #TLS_INSECURE}</td><td>false</td><td>{@link #tlsInsecure(Settings)}</td>
 *     <td>call an {@code https} gateway without verifying its certificate (testing only)</td></tr>
 * </tbody>
 * </table>
 *
 * <table class="striped">
 * <caption>Function annotations, read by {@link #retryPolicyFor(RetryPolicy, Map)}</caption>
 * <thead><tr><th>name</th><th>overrides</th></tr></thead>
 * <tbody>
 * <tr><td>{@value #RETRY_ATTEMPTS_ANNOTATION}</td><td>{@value #MAX_RETRY_ATTEMPTS}</td></tr>
 * <tr><td>{@value #RETRY_CODES_ANNOTATION}</td><td>{@value #RETRY_HTTP_CODES}</td></tr>
 * <tr><td>{@value #RETRY_MIN_WAIT_ANNOTATION}</td><td>{@value #INITIAL_RETRY_WAIT}</td></tr>
 * <tr><td>{@value #RETRY_MAX_WAIT_ANNOTATION}</td><td>{@value #MAX_RETRY_WAIT}</td></tr>
 * </tbody>
 * </table>
 *
 * <p>Durations are in Go's notation ({@code 500ms}, {@code 30s}, {@code 1m30s}); a bare number is seconds.
 */
public final class WorkerSettings {
    private static final Logger log = LoggerFactory.getLogger(WorkerSettings.class);

    /** Attempts in all, the first included. */
    public static final String MAX_RETRY_ATTEMPTS = "max_retry_attempts";
    /** Statuses worth retrying, comma-separated. */
    public static final String RETRY_HTTP_CODES = "retry_http_codes";
    /** Wait before the first retry. */
    public static final String INITIAL_RETRY_WAIT = "initial_retry_wait";
    /** Cap on the computed wait. */
    public static final String MAX_RETRY_WAIT = "max_retry_wait";
    /** How the wait grows: {@code exponential}, {@code full} or {@code equal}. */
    public static final String BACKOFF = "backoff";
    /** Hosts callbacks may go to, comma-separated; {@code *.domain} for subdomains. */
    public static final String CALLBACK_ALLOWED_HOSTS = "callback_allowed_hosts";
    /** Whether callbacks may go to link-local and metadata addresses. */
    public static final String CALLBACK_ALLOW_LINK_LOCAL = "callback_allow_link_local";
    /** The shared secret callbacks are signed with. */
    public static final String CALLBACK_SIGNING_SECRET = "callback_signing_secret";
    /** Where functions are invoked. */
    public static final String GATEWAY_URL = "gateway_url";
    /** Time allowed for one function call. */
    public static final String UPSTREAM_TIMEOUT = "upstream_timeout";
    /** Calls at once. */
    public static final String MAX_INFLIGHT = "max_inflight";
    /** Whether the gateway's certificate goes unverified. */
    public static final String TLS_INSECURE = "tls_insecure";

    /** A function's own number of attempts. */
    public static final String RETRY_ATTEMPTS_ANNOTATION = "com.openfaas.retry.attempts";
    /** A function's own statuses worth retrying. */
    public static final String RETRY_CODES_ANNOTATION = "com.openfaas.retry.codes";
    /** A function's own wait before the first retry. */
    public static final String RETRY_MIN_WAIT_ANNOTATION = "com.openfaas.retry.min_wait";
    /** A function's own cap on the wait. */
    public static final String RETRY_MAX_WAIT_ANNOTATION = "com.openfaas.retry.max_wait";

    private static final int MAX_ATTEMPTS_LIMIT = 10_000;
    private static final String DEFAULT_GATEWAY_URL = "http://127.0.0.1:8080";
    private static final Duration DEFAULT_UPSTREAM_TIMEOUT = Duration.ofMinutes(1);
    private static final int DEFAULT_MAX_INFLIGHT = 50;
    private static final int MAX_INFLIGHT_LIMIT = 100_000;

    private WorkerSettings() {
    }

    /** The retry policy; every name left unset keeps {@link RetryPolicy#defaults()}. */
    public static RetryPolicy retryPolicy(Settings settings) {
        RetryPolicy d = RetryPolicy.defaults();
        Duration initial = settings.duration(INITIAL_RETRY_WAIT, d.initialWait());
        Duration max = settings.duration(MAX_RETRY_WAIT, d.maxWait());
        if (max.compareTo(initial) < 0) {
            throw new ConfigurationException(MAX_RETRY_WAIT, "must not be below " + INITIAL_RETRY_WAIT + " (" + initial + ")");
        }
        return new RetryPolicy(
                settings.integer(MAX_RETRY_ATTEMPTS, d.maxAttempts(), 1, MAX_ATTEMPTS_LIMIT),
                settings.integerSet(RETRY_HTTP_CODES, d.retryCodes(), 100, 599),
                initial, max,
                Backoff.parse(settings.choice(BACKOFF, "exponential", "exponential", "full", "equal")));
    }

    /**
     * {@code policy} with a function's {@code com.openfaas.retry.*} annotations applied. An invalid
     * annotation is logged and ignored; waits that contradict each other are both ignored.
     */
    public static RetryPolicy retryPolicyFor(RetryPolicy policy, Map<String, String> annotations) {
        if (annotations.isEmpty()) return policy;
        Settings read = Settings.of(annotations);
        int attempts = annotation(() -> read.integer(RETRY_ATTEMPTS_ANNOTATION, policy.maxAttempts(), 1, MAX_ATTEMPTS_LIMIT),
                policy.maxAttempts());
        Set<Integer> codes = annotation(() -> read.integerSet(RETRY_CODES_ANNOTATION, policy.retryCodes(), 100, 599),
                policy.retryCodes());
        Duration min = annotation(() -> read.duration(RETRY_MIN_WAIT_ANNOTATION, policy.initialWait()), policy.initialWait());
        Duration max = annotation(() -> read.duration(RETRY_MAX_WAIT_ANNOTATION, policy.maxWait()), policy.maxWait());
        if (max.compareTo(min) < 0) {
            log.warn("ignoring retry wait annotations: max_wait {} is below min_wait {}", max, min);
            min = policy.initialWait();
            max = policy.maxWait();
        }
        return new RetryPolicy(attempts, codes, min, max, policy.backoff());
    }

    /** Where callbacks may go. */
    public static CallbackPolicy callbackPolicy(Settings settings) {
        List<String> hosts = new ArrayList<>();
        for (String part : settings.string(CALLBACK_ALLOWED_HOSTS, "").split(",")) {
            if (!part.isBlank()) hosts.add(part);
        }
        boolean linkLocal = settings.bool(CALLBACK_ALLOW_LINK_LOCAL, false);
        try {
            return new CallbackPolicy(hosts, linkLocal);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(CALLBACK_ALLOWED_HOSTS, e.getMessage());
        }
    }

    /** A signer when a signing secret is set. */
    public static Optional<CallbackSigner> callbackSigner(Settings settings) {
        Optional<String> secret = settings.get(CALLBACK_SIGNING_SECRET);
        if (secret.isEmpty()) return Optional.empty();
        try {
            return Optional.of(new CallbackSigner(secret.get().getBytes(StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            // The message says what is wrong with the secret, never the secret.
            throw new ConfigurationException(CALLBACK_SIGNING_SECRET, e.getMessage());
        }
    }

    /** The gateway's base URL, {@code http(s)://host[:port]}. */
    public static URI gatewayUrl(Settings settings) {
        String gateway = settings.string(GATEWAY_URL, DEFAULT_GATEWAY_URL);
        URI uri;
        try {
            uri = URI.create(gateway);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(GATEWAY_URL, "not a URL: '" + gateway + "'");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new ConfigurationException(GATEWAY_URL, "expected http(s)://host[:port], got '" + gateway + "'");
        }
        return uri;
    }

    /** The time allowed for one function call; positive. */
    public static Duration upstreamTimeout(Settings settings) {
        Duration timeout = settings.duration(UPSTREAM_TIMEOUT, DEFAULT_UPSTREAM_TIMEOUT);
        if (timeout.isZero() || timeout.isNegative()) {
            throw new ConfigurationException(UPSTREAM_TIMEOUT, "must be positive");
        }
        return timeout;
    }

    /** Calls at once, 1 to 100000. */
    public static int maxInflight(Settings settings) {
        return settings.integer(MAX_INFLIGHT, DEFAULT_MAX_INFLIGHT, 1, MAX_INFLIGHT_LIMIT);
    }

    /** Whether an {@code https} gateway is called without verifying its certificate and host name. */
    public static boolean tlsInsecure(Settings settings) {
        return settings.bool(TLS_INSECURE, false);
    }

    private static <T> T annotation(Supplier<T> read, T fallback) {
        try {
            return read.get();
        } catch (ConfigurationException e) {
            log.warn("ignoring annotation {}", e.getMessage());
            return fallback;
        }
    }
}
