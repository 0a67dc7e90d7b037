package dev.asyncqueue.http;

import javax.net.ssl.SSLContext;

/**
 * Makes the client for an engine. Apache HttpClient is a dependency an embedder may exclude: naming its
 * classes only in {@link ReactorTransport} and {@link PooledTransport}, loaded here on demand, keeps the JDK engine working without it.
 */
final class Transports {
    /** Calls at once when nobody says otherwise, as the worker's {@code max_inflight} default. */
    static final int DEFAULT_SIZE = 50;
    private static final String APACHE_CLIENT = "org.apache.hc.client5.http.impl.classic.HttpClients";

    private Transports() {
    }

    /** The client of {@code engine}; {@code tls} null verifies every server as the platform does. */
    static Transport create(HttpEngine engine, int size, SSLContext tls) {
        if (engine == HttpEngine.JDK) return new JdkTransport(tls);
        if (!apachePresent()) {
            throw new IllegalStateException("Apache HttpClient 5 is not on the class path: add "
                    + "org.apache.httpcomponents.client5:httpclient5, or use HttpEngine.JDK (invoker=http-jdk)");
        }
        return engine == HttpEngine.APACHE_CLASSIC ? new PooledTransport(size, tls) : new ReactorTransport(size, tls);
    }

    /** A callback sender's own client: Apache HttpClient when it is there, else the JDK's. */
    static Transport forCallbacks() {
        return create(apachePresent() ? HttpEngine.APACHE_ASYNC : HttpEngine.JDK, DEFAULT_SIZE, null);
    }

    private static boolean apachePresent() {
        try {
            Class.forName(APACHE_CLIENT, false, Transports.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError absent) {
            return false;
        }
    }
}
