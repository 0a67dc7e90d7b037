package dev.asyncqueue.http;

import dev.asyncqueue.Invoker;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.config.WorkerSettings;
import dev.asyncqueue.spi.InvokerProvider;

/**
 * Provides the {@code http} invoker on Apache HttpClient 5 async ({@link HttpEngine#APACHE_ASYNC}), configured by
 * {@value WorkerSettings#GATEWAY_URL}, {@value WorkerSettings#UPSTREAM_TIMEOUT},
 * {@value WorkerSettings#MAX_INFLIGHT} (its pooled connections) and
 * {@value WorkerSettings#TLS_INSECURE} as {@link WorkerSettings} reads them.
 */
public final class HttpInvokerProvider implements InvokerProvider {
    /** The name configuration selects it by. */
    public static final String NAME = "http";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Invoker create(Settings settings) {
        return configured(settings).engine(HttpEngine.APACHE_ASYNC).build();
    }

    /** A builder with every setting the HTTP invokers read. */
    static HttpInvoker.Builder configured(Settings settings) {
        return HttpInvoker.builder()
                .gatewayUrl(WorkerSettings.gatewayUrl(settings))
                .timeout(WorkerSettings.upstreamTimeout(settings))
                .maxConcurrency(WorkerSettings.maxInflight(settings))
                .tlsInsecure(WorkerSettings.tlsInsecure(settings));
    }
}
