package dev.asyncqueue.http;

import dev.asyncqueue.Invoker;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.config.WorkerSettings;
import dev.asyncqueue.spi.InvokerProvider;

/**
 * Provides the {@code http} invoker, configured by {@value WorkerSettings#GATEWAY_URL} and
 * {@value WorkerSettings#UPSTREAM_TIMEOUT} as {@link WorkerSettings} reads them.
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
        return HttpInvoker.builder()
                .gatewayUrl(WorkerSettings.gatewayUrl(settings))
                .timeout(WorkerSettings.upstreamTimeout(settings))
                .build();
    }
}
