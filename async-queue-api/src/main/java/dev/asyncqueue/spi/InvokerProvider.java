package dev.asyncqueue.spi;

import dev.asyncqueue.Invoker;
import dev.asyncqueue.config.Settings;

/**
 * Makes an {@link Invoker}; found with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/dev.asyncqueue.spi.InvokerProvider} and chosen by {@link #name()}.
 */
public interface InvokerProvider {

    /** The name configuration selects this provider by (ours is {@code http}). */
    String name();

    /** Creates an invoker from the settings (e.g. {@code gateway_url}, {@code upstream_timeout}). */
    Invoker create(Settings settings);
}
