package dev.asyncqueue.http;

import dev.asyncqueue.internal.Threads;
import org.apache.hc.client5.http.async.methods.ConfigurableHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.Message;
import org.apache.hc.core5.http.nio.entity.BasicAsyncEntityProducer;
import org.apache.hc.core5.http.nio.entity.DiscardingEntityConsumer;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.nio.support.BasicResponseConsumer;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;

/**
 * Apache HttpClient 5 async: a few I/O reactor threads (fewer than connections, at most one per processor)
 * serve every connection, at most
 * {@code size} pooled keep-alive connections per server and twice that in all (the gateway's and a callback
 * receiver's side by side); a request beyond them waits for one without holding a thread. A caller hands a request to the reactor and the reactor completes the answer itself, so
 * one wake-up of a reactor thread serves every connection ready at that moment. Futures complete on a
 * reactor thread: what depends on them must not block. A {@link DeadlineSweep} aborts an exchange that
 * outlives its timeout; cancelling its future aborts it too. Redirects, retries, cookies, authentication,
 * compression and protocol upgrades are off: the function's answer comes back as it was sent. HTTP/1.1 only,
 * as the classic client speaks it.
 */
final class ReactorTransport implements Transport {
    private static final Timeout CONNECT_TIMEOUT = Timeout.ofSeconds(10);
    // A connection idle this long is checked before reuse, so one the server closed meanwhile is not used.
    private static final TimeValue CHECK_AFTER_IDLE = TimeValue.ofSeconds(1);
    private static final byte[] NO_BODY = new byte[0];
    // A reactor thread wakes once for all of its connections that are ready: with few connections each, more
    // threads mean more wake-ups per call; with many, one thread becomes the bottleneck.
    private static final int CONNECTIONS_PER_REACTOR = 25;

    private final int size;
    private final CloseableHttpAsyncClient client;
    private final DeadlineSweep deadlines = new DeadlineSweep("async-queue-http-deadline");
    private final Map<Duration, RequestConfig> configs = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** At most {@code size} connections; {@code tls} null verifies every server as the platform does. */
    ReactorTransport(int size, SSLContext tls) {
        if (size < 1) throw new IllegalArgumentException("size must be at least 1");
        this.size = size;
        TlsStrategy tlsStrategy = tls == null
                ? DefaultClientTlsStrategy.createSystemDefault()
                // The context's trust manager checks the host name itself (JSSE's endpoint identification).
                : new DefaultClientTlsStrategy(tls, HostnameVerificationPolicy.BUILTIN, null);
        this.client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        // With one limit for all servers, each callback to a receiver would close an idle
                        // connection to the gateway to open its own, and the next call the reverse.
                        .setMaxConnTotal(2 * size)
                        .setMaxConnPerRoute(size)
                        .setTlsStrategy(tlsStrategy)
                        .setDefaultTlsConfig(TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1).build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(CONNECT_TIMEOUT)
                                .setValidateAfterInactivity(CHECK_AFTER_IDLE)
                                .build())
                        .build())
                .setIOReactorConfig(IOReactorConfig.custom().setTcpNoDelay(true).setIoThreadCount(reactorThreads(size)).build())
                .setThreadFactory(Threads.named("async-queue-http"))
                .setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1)
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .disableConnectionState()
                .build();
        client.start();
    }

    /** One reactor thread per {@link #CONNECTIONS_PER_REACTOR} connections, at most one per processor. */
    static int reactorThreads(int connections) {
        int wanted = (connections + CONNECTIONS_PER_REACTOR - 1) / CONNECTIONS_PER_REACTOR;
        return Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), wanted));
    }

    @Override
    public CompletableFuture<Answer> exchange(OutgoingRequest request, Duration timeout, boolean readBody) {
        ConfigurableHttpRequest call = new ConfigurableHttpRequest(request.method(), request.url());
        for (Map.Entry<String, String> header : request.headers()) {
            call.addHeader(header.getKey(), header.getValue());
        }
        call.setConfig(configs.computeIfAbsent(timeout, ReactorTransport::configFor));
        BasicRequestProducer producer = new BasicRequestProducer(call,
                request.body() == null ? null : new BasicAsyncEntityProducer(request.body(), null));
        Exchange exchange = new Exchange(timeout);
        if (closed) {
            exchange.completeExceptionally(new IOException("the HTTP client is closed"));
            return exchange;
        }
        deadlines.add(exchange);
        try {
            exchange.started(readBody
                    ? client.execute(producer, SimpleResponseConsumer.create(), null,
                            exchange.ending((SimpleHttpResponse r) -> answer(r, r.getBodyBytes())))
                    : client.execute(producer, new BasicResponseConsumer<>(new DiscardingEntityConsumer<>()), null,
                            exchange.ending((Message<HttpResponse, Void> m) -> answer(m.getHead(), NO_BODY))));
        } catch (RuntimeException notRunning) {
            // The client refuses work once it is closed.
            exchange.fail(new IOException("the HTTP client is closed", notRunning));
        }
        return exchange;
    }

    private static RequestConfig configFor(Duration timeout) {
        Timeout t = Timeout.of(timeout);
        // Each read waits at most the whole timeout: a backstop should the deadline sweep not get to run.
        return RequestConfig.custom()
                .setRedirectsEnabled(false)
                .setAuthenticationEnabled(false)
                .setProtocolUpgradeEnabled(false)
                .setContentCompressionEnabled(false)
                .setExpectContinueEnabled(false)
                .setConnectionRequestTimeout(t)
                .setResponseTimeout(t)
                .build();
    }

    private static Answer answer(HttpResponse response, byte[] body) {
        Map<String, List<String>> headers = new HashMap<>();
        for (Header header : response.getHeaders()) {
            // Lower case, as the JDK's client hands them over, so a reader finds them by one spelling.
            headers.computeIfAbsent(header.getName().toLowerCase(Locale.ROOT), name -> new ArrayList<>(1))
                    .add(header.getValue());
        }
        return new Answer(response.getCode(), headers, body == null ? NO_BODY : body);
    }

    @Override
    public String describe() {
        return "apache-async, " + size + " connections per server, " + reactorThreads(size) + " reactor threads";
    }

    @Override
    public void close() {
        closed = true;
        // The exchanges in flight fail first, so the reactor has nothing left to finish when it shuts down.
        for (DeadlineSweep.Expiring left : deadlines.close()) {
            ((Exchange) left).abandon(new IOException("the HTTP client is closed"));
        }
        client.close(CloseMode.GRACEFUL);
    }

    /** One exchange: ends by its answer, its failure, its deadline or its cancellation. */
    private final class Exchange extends CompletableFuture<Answer> implements DeadlineSweep.Expiring {
        private final Duration timeout;
        private final long deadline;
        private volatile Future<?> running;

        Exchange(Duration timeout) {
            this.timeout = timeout;
            this.deadline = System.nanoTime() + timeout.toNanos();
        }

        <T> FutureCallback<T> ending(java.util.function.Function<T, Answer> toAnswer) {
            return new FutureCallback<>() {
                @Override
                public void completed(T result) {
                    deadlines.remove(Exchange.this);
                    try {
                        complete(toAnswer.apply(result));
                    } catch (RuntimeException unreadable) {
                        // An answer that cannot be taken apart still ends the exchange, as a failure.
                        completeExceptionally(unreadable);
                    }
                }

                @Override
                public void failed(Exception failure) {
                    fail(failure);
                }

                @Override
                public void cancelled() {
                    fail(new IOException("the exchange was cancelled"));
                }
            };
        }

        void started(Future<?> call) {
            running = call;
            // A deadline or a cancellation that came before the client handed back its future aborts it now.
            if (isCompletedExceptionally()) call.cancel(true);
        }

        void fail(Throwable failure) {
            deadlines.remove(this);
            completeExceptionally(failure);
        }

        @Override
        public long deadlineNanos() {
            return deadline;
        }

        @Override
        public void expire() {
            abandon(new TimeoutException("no answer within " + timeout));
        }

        void abandon(Exception why) {
            if (completeExceptionally(why)) abort();
        }

        private void abort() {
            Future<?> call = running;
            if (call != null) call.cancel(true);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            deadlines.remove(this);
            abort();
            return cancelled;
        }
    }
}
