package dev.asyncqueue.http;

import dev.asyncqueue.Invoker;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.spi.InvokerProvider;

/**
 * Provides the {@code http-jdk} invoker: the {@code http} invoker's settings on the JDK's own asynchronous
 * client ({@link HttpEngine#JDK}), for an embedder who leaves Apache HttpClient off the class path.
 */
public final class JdkHttpInvokerProvider implements InvokerProvider {
    /** The name configuration selects it by. */
    public static final String NAME = "http-jdk";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Invoker create(Settings settings) {
        return HttpInvokerProvider.configured(settings).engine(HttpEngine.JDK).build();
    }
}
