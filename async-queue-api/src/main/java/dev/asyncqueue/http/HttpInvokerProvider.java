package dev.asyncqueue.http;

import dev.asyncqueue.Invoker;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.spi.InvokerProvider;

import java.net.URI;
import java.time.Duration;

/** Provides the {@code http} invoker, configured by {@code gateway_url} and {@code upstream_timeout}. */
public final class HttpInvokerProvider implements InvokerProvider {
    /** The name configuration selects it by. */
    public static final String NAME = "http";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Invoker create(Settings settings) {
        String gateway = settings.string("gateway_url", "http://127.0.0.1:8080");
        URI uri;
        try {
            uri = URI.create(gateway);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("gateway_url", "not a URL: '" + gateway + "'");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new ConfigurationException("gateway_url", "expected http(s)://host[:port], got '" + gateway + "'");
        }
        Duration timeout = settings.duration("upstream_timeout", Duration.ofMinutes(1));
        if (timeout.isZero() || timeout.isNegative()) {
            throw new ConfigurationException("upstream_timeout", "must be positive");
        }
        return HttpInvoker.builder().gatewayUrl(uri).timeout(timeout).build();
    }
}
