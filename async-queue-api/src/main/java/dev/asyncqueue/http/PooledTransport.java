package dev.asyncqueue.http;

import dev.asyncqueue.internal.Threads;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Apache HttpClient 5 classic: each exchange is a blocking call on one of at most {@code size} threads,
 * over at most {@code size} pooled keep-alive connections per server (twice that in all, the gateway's and a
 * callback receiver's side by side), so a thread never waits for a connection. Blocking calls on a bounded pool hand off once per call, where an asynchronous client hands
 * off between its selector and executor threads several times. A {@link DeadlineSweep} aborts an exchange
 * that outlives its timeout; cancelling its future aborts it too. Redirects, retries, cookies, authentication,
 * compression and protocol upgrades are off: the function's answer comes back as it was sent.
 */
final class PooledTransport implements Transport {
    private static final Timeout CONNECT_TIMEOUT = Timeout.ofSeconds(10);
    // A connection idle this long is checked before reuse, so one the server closed meanwhile is not used.
    private static final TimeValue CHECK_AFTER_IDLE = TimeValue.ofSeconds(1);
    private static final Duration IDLE_THREAD_KEEP = Duration.ofSeconds(60);

    private final int size;
    private final CloseableHttpClient client;
    private final ThreadPoolExecutor pool;
    private final DeadlineSweep deadlines = new DeadlineSweep("async-queue-http-deadline");
    private final Map<Duration, RequestConfig> configs = new ConcurrentHashMap<>();

    /** A pool of {@code size} threads and connections; {@code tls} null verifies every server as the platform does. */
    PooledTransport(int size, SSLContext tls) {
        if (size < 1) throw new IllegalArgumentException("size must be at least 1");
        this.size = size;
        TlsSocketStrategy tlsStrategy = tls == null
                ? DefaultClientTlsStrategy.createSystemDefault()
                // The context's trust manager checks the host name itself (JSSE's endpoint identification).
                : new DefaultClientTlsStrategy(tls, HostnameVerificationPolicy.BUILTIN, null);
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        // With one limit for all servers, each callback to a receiver would close an idle
                        // connection to the gateway to open its own, and the next call the reverse.
                        .setMaxConnTotal(2 * size)
                        .setMaxConnPerRoute(size)
                        .setTlsSocketStrategy(tlsStrategy)
                        .setDefaultSocketConfig(SocketConfig.custom().setTcpNoDelay(true).build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(CONNECT_TIMEOUT)
                                .setValidateAfterInactivity(CHECK_AFTER_IDLE)
                                .build())
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableAuthCaching()
                .disableContentCompression()
                .disableConnectionState()
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setRedirectsEnabled(false)
                        .setAuthenticationEnabled(false)
                        .setProtocolUpgradeEnabled(false)
                        .setContentCompressionEnabled(false)
                        .setExpectContinueEnabled(false)
                        .build())
                .build();
        this.pool = new ThreadPoolExecutor(size, size, IDLE_THREAD_KEEP.toSeconds(), TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), Threads.named("async-queue-http"));
        pool.allowCoreThreadTimeOut(true);
    }

    @Override
    public CompletableFuture<Answer> exchange(OutgoingRequest request, Duration timeout, boolean readBody) {
        HttpUriRequestBase call = new HttpUriRequestBase(request.method(), request.url());
        for (Map.Entry<String, String> header : request.headers()) {
            call.addHeader(header.getKey(), header.getValue());
        }
        if (request.body() != null) call.setEntity(new ByteArrayEntity(request.body(), null));
        call.setConfig(configs.computeIfAbsent(timeout, PooledTransport::configFor));
        Exchange exchange = new Exchange(call, timeout, readBody);
        try {
            deadlines.add(exchange);
            pool.execute(exchange);
        } catch (RejectedExecutionException closed) {
            deadlines.remove(exchange);
            exchange.completeExceptionally(new IOException("the HTTP client is closed"));
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

    private static Answer answer(ClassicHttpResponse response, boolean readBody) throws IOException {
        HttpEntity entity = response.getEntity();
        byte[] body = entity != null && readBody ? EntityUtils.toByteArray(entity) : new byte[0];
        Map<String, List<String>> headers = new HashMap<>();
        for (Header header : response.getHeaders()) {
            // Lower case, as the JDK's client hands them over, so a reader finds them by one spelling.
            headers.computeIfAbsent(header.getName().toLowerCase(Locale.ROOT), name -> new ArrayList<>(1))
                    .add(header.getValue());
        }
        return new Answer(response.getCode(), headers, body);
    }

    @Override
    public String describe() {
        return "apache-classic, " + size + " threads, " + size + " connections per server";
    }

    @Override
    public void close() {
        for (Runnable waiting : pool.shutdownNow()) {
            ((Exchange) waiting).completeExceptionally(new IOException("the HTTP client is closed"));
        }
        for (DeadlineSweep.Expiring running : deadlines.close()) {
            ((Exchange) running).completeExceptionally(new IOException("the HTTP client is closed"));
        }
        // Closing the connections is what wakes threads blocked in a read.
        client.close(CloseMode.IMMEDIATE);
    }

    /** One exchange: runs on a pool thread, ends by its answer, its failure, its deadline or its cancellation. */
    private final class Exchange extends CompletableFuture<Answer> implements Runnable, DeadlineSweep.Expiring {
        private final HttpUriRequestBase call;
        private final Duration timeout;
        private final long deadline;
        private final boolean readBody;
        private volatile boolean expired;

        Exchange(HttpUriRequestBase call, Duration timeout, boolean readBody) {
            this.call = call;
            this.timeout = timeout;
            this.deadline = System.nanoTime() + timeout.toNanos();
            this.readBody = readBody;
        }

        @Override
        public long deadlineNanos() {
            return deadline;
        }

        @Override
        public void run() {
            if (isDone()) return; // cancelled or expired while waiting for a thread
            try {
                complete(client.execute(call, response -> answer(response, readBody)));
            } catch (IOException | RuntimeException e) {
                completeExceptionally(expired ? timedOut() : e);
            } finally {
                deadlines.remove(this);
            }
        }

        @Override
        public void expire() {
            expired = true;
            if (completeExceptionally(timedOut())) call.cancel();
        }

        private TimeoutException timedOut() {
            return new TimeoutException("no answer within " + timeout);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            call.cancel();
            deadlines.remove(this);
            return cancelled;
        }
    }
}
