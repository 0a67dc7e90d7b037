package dev.asyncqueue.http;

/** The HTTP client under an {@link HttpInvoker} and the callback sender that shares it. */
public enum HttpEngine {
    /**
     * Apache HttpClient 5 async, the default: an I/O reactor thread per processor serves a bounded pool of
     * keep-alive connections, HTTP/1.1 in clear text and over TLS. Calls complete on a reactor thread, so what
     * depends on them must not block.
     */
    APACHE_ASYNC,
    /**
     * Apache HttpClient 5 classic: blocking calls on a bounded pool of threads and pooled keep-alive
     * connections, HTTP/1.1 in clear text and over TLS. Calls complete on a pool thread, where a dependent may
     * block; each call is handed to a pool thread and its completion back, which costs more CPU than {@link #APACHE_ASYNC}.
     */
    APACHE_CLASSIC,
    /**
     * The JDK's {@code java.net.http.HttpClient}, asynchronous: needs no library, bounds nothing, speaks
     * HTTP/2 over TLS; it costs more CPU per call.
     */
    JDK
}
