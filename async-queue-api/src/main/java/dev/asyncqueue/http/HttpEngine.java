package dev.asyncqueue.http;

/** The HTTP client under an {@link HttpInvoker} and the callback sender that shares it. */
public enum HttpEngine {
    /**
     * Apache HttpClient 5 classic, the default: blocking calls on a bounded pool of threads and pooled
     * keep-alive connections, HTTP/1.1 in clear text and over TLS.
     */
    APACHE_CLASSIC,
    /**
     * The JDK's {@code java.net.http.HttpClient}, asynchronous: needs no library, bounds nothing, speaks
     * HTTP/2 over TLS; it costs more CPU per call.
     */
    JDK
}
