package dev.asyncqueue.benchmarks.http;

import dev.asyncqueue.http.HttpEngine;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * A client in the comparison.
 *
 * @param name        short name used in the tables and in {@code --clients}
 * @param what        how it calls, for the report
 * @param jarPrefixes {@code group:artifact} prefixes of the jars it adds to an embedder's class path
 * @param keeper      who maintains it
 * @param loop        opens its loop against the function server
 * @param chain       for a plain loop, opens it on a chain of URLs (the function, then a callback receiver);
 *                    empty for the library's invokers
 */
record Candidate(String name, String what, List<String> jarPrefixes, String keeper, Opener loop,
                 Optional<ChainOpener> chain) {
    /** The name of the load generator that measures the server's ceiling; not a Java client. */
    static final String WRK = "wrk";

    /** Opens a client's loop: the gateway (the function is {@code bench} under it), calls at once, the request body. */
    interface Opener {
        HttpLoop open(URI gateway, int concurrency, byte[] body) throws Exception;
    }

    /** Opens a plain loop whose every call posts to each of {@code urls} in turn, each later one the answer before it. */
    interface ChainOpener {
        HttpLoop open(List<URI> urls, int concurrency, byte[] body) throws Exception;
    }

    /** One of the library's invokers. */
    private static Candidate library(String name, String what, List<String> jarPrefixes, String keeper, Opener loop) {
        return new Candidate(name, what, jarPrefixes, keeper, loop, Optional.empty());
    }

    /** A plain loop, which calls the function under the gateway as its one exchange. */
    private static Candidate plain(String name, String what, List<String> jarPrefixes, String keeper, ChainOpener chain) {
        return new Candidate(name, what, jarPrefixes, keeper, (g, c, b) -> chain.open(List.of(function(g)), c, b),
                Optional.of(chain));
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
                library("library-apache", "the library's `HttpInvoker` as `invoker=http` builds it: Apache "
                        + "HttpClient 5 async, one I/O reactor thread per processor over *C* pooled connections, "
                        + "`invoke` with at most *C* calls open", APACHE, APACHE_KEEPER,
                        (g, c, b) -> InvokerLoop.create(g, c, b, HttpEngine.APACHE_ASYNC)),
                library("library-classic", "the library's `HttpInvoker` on `HttpEngine.APACHE_CLASSIC`: Apache "
                        + "HttpClient 5 classic, blocking calls on a pool of *C* threads and *C* pooled connections, "
                        + "`invoke` with at most *C* calls open", APACHE, APACHE_KEEPER,
                        (g, c, b) -> InvokerLoop.create(g, c, b, HttpEngine.APACHE_CLASSIC)),
                library("library-jdk", "the library's `HttpInvoker` as `invoker=http-jdk` builds it: the JDK's "
                        + "`HttpClient.sendAsync`, at most *C* calls open", List.of(), JDK_KEEPER,
                        (g, c, b) -> InvokerLoop.create(g, c, b, HttpEngine.JDK)),
                plain("jdk-async", "JDK `HttpClient.sendAsync` (HTTP/1.1, an executor of max(2, processors) "
                        + "threads), at most *C* calls open", List.of(), JDK_KEEPER,
                        JdkLoops::async),
                plain("jdk-blocking", "JDK `HttpClient.send` on *C* threads", List.of(), JDK_KEEPER,
                        JdkLoops::blocking),
                plain("apache-classic", "Apache HttpClient 5 classic: `execute` on *C* threads, a pooling "
                        + "connection manager of *C* connections", APACHE, APACHE_KEEPER,
                        ApacheLoops::classic),
                plain("apache-async", "Apache HttpClient 5 async: `CloseableHttpAsyncClient.execute` with a "
                        + "callback, one I/O reactor thread per processor, at most *C* calls open", APACHE, APACHE_KEEPER,
                        ApacheLoops::async),
                plain("jetty", "Jetty 12 `HttpClient`: `send` with a buffering listener, *C* connections, at "
                        + "most *C* calls open", List.of("org.eclipse.jetty"), "Eclipse Jetty (Eclipse Foundation)",
                        JettyLoop::create),
                plain("okhttp", "OkHttp 5: `Call.execute` on *C* threads, a connection pool of *C*",
                        List.of("com.squareup.okhttp3:", "com.squareup.okio:", "org.jetbrains.kotlin:",
                                "org.jetbrains:annotations"),
                        "Square; written in Kotlin, so it brings the Kotlin standard library and Okio",
                        OkHttpLoop::create));
    }
}
