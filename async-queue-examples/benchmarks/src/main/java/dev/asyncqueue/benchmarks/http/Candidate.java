package dev.asyncqueue.benchmarks.http;

import dev.asyncqueue.http.HttpEngine;

import java.net.URI;
import java.util.List;

/**
 * A client in the comparison.
 *
 * @param name        short name used in the tables and in {@code --clients}
 * @param what        how it calls, for the report
 * @param jarPrefixes {@code group:artifact} prefixes of the jars it adds to an embedder's class path
 * @param keeper      who maintains it
 * @param loop        opens its loop against the function server
 */
record Candidate(String name, String what, List<String> jarPrefixes, String keeper, Opener loop) {
    /** The name of the load generator that measures the server's ceiling; not a Java client. */
    static final String WRK = "wrk";

    /** Opens a client's loop: the gateway (the function is {@code bench} under it), calls at once, the request body. */
    interface Opener {
        HttpLoop open(URI gateway, int concurrency, byte[] body) throws Exception;
    }

    /** Whether {@code name} is one of the library's own invokers rather than a plain loop. */
    static boolean isLibrary(String name) {
        return name.startsWith("library-");
    }

    /** The function every client calls under {@code gateway}. */
    static URI function(URI gateway) {
        return gateway.resolve("/function/bench");
    }

    private static final List<String> APACHE = List.of("org.apache.httpcomponents.");
    private static final String APACHE_KEEPER = "Apache HttpComponents (Apache Software Foundation)";
    private static final String JDK_KEEPER = "OpenJDK, with each Java release";

    /** Every client, the library's invokers first. */
    static List<Candidate> all() {
        return List.of(
                new Candidate("library-apache", "the library's `HttpInvoker` as `invoker=http` builds it: Apache "
                        + "HttpClient 5 async, one I/O reactor thread per processor over *C* pooled connections, "
                        + "`invoke` with at most *C* calls open", APACHE, APACHE_KEEPER,
                        (g, c, b) -> InvokerLoop.create(g, c, b, HttpEngine.APACHE_ASYNC)),
                new Candidate("library-classic", "the library's `HttpInvoker` on `HttpEngine.APACHE_CLASSIC`: Apache "
                        + "HttpClient 5 classic, blocking calls on a pool of *C* threads and *C* pooled connections, "
                        + "`invoke` with at most *C* calls open", APACHE, APACHE_KEEPER,
                        (g, c, b) -> InvokerLoop.create(g, c, b, HttpEngine.APACHE_CLASSIC)),
                new Candidate("library-jdk", "the library's `HttpInvoker` as `invoker=http-jdk` builds it: the JDK's "
                        + "`HttpClient.sendAsync`, at most *C* calls open", List.of(), JDK_KEEPER,
                        (g, c, b) -> InvokerLoop.create(g, c, b, HttpEngine.JDK)),
                new Candidate("jdk-async", "JDK `HttpClient.sendAsync` (HTTP/1.1, an executor of max(2, processors) "
                        + "threads), at most *C* calls open", List.of(), JDK_KEEPER,
                        (g, c, b) -> JdkLoops.async(function(g), c, b)),
                new Candidate("jdk-blocking", "JDK `HttpClient.send` on *C* threads", List.of(), JDK_KEEPER,
                        (g, c, b) -> JdkLoops.blocking(function(g), c, b)),
                new Candidate("apache-classic", "Apache HttpClient 5 classic: `execute` on *C* threads, a pooling "
                        + "connection manager of *C* connections", APACHE, APACHE_KEEPER,
                        (g, c, b) -> ApacheLoops.classic(function(g), c, b)),
                new Candidate("apache-async", "Apache HttpClient 5 async: `CloseableHttpAsyncClient.execute` with a "
                        + "callback, one I/O reactor thread per processor, at most *C* calls open", APACHE, APACHE_KEEPER,
                        (g, c, b) -> ApacheLoops.async(function(g), c, b)),
                new Candidate("jetty", "Jetty 12 `HttpClient`: `send` with a buffering listener, *C* connections, at "
                        + "most *C* calls open", List.of("org.eclipse.jetty"), "Eclipse Jetty (Eclipse Foundation)",
                        (g, c, b) -> JettyLoop.create(function(g), c, b)),
                new Candidate("okhttp", "OkHttp 5: `Call.execute` on *C* threads, a connection pool of *C*",
                        List.of("com.squareup.okhttp3:", "com.squareup.okio:", "org.jetbrains.kotlin:",
                                "org.jetbrains:annotations"),
                        "Square; written in Kotlin, so it brings the Kotlin standard library and Okio",
                        (g, c, b) -> OkHttpLoop.create(function(g), c, b)));
    }
}
