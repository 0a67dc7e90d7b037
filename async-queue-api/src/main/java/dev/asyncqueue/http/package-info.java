/**
 * HTTP to functions and callback receivers: the {@link dev.asyncqueue.http.HttpInvoker} that calls functions
 * through an OpenFaaS-style gateway (its {@code http} and {@code http-jdk} providers), the
 * {@link dev.asyncqueue.http.HttpCallbackSender} that posts results on the same client, and the header rules
 * both follow. The default client is Apache HttpClient 5 async, an I/O reactor over a bounded pool of
 * keep-alive connections sized by {@code max_inflight}; Apache HttpClient 5 classic (blocking calls on a
 * bounded pool of threads) and the JDK's asynchronous client (no dependency) are the other
 * {@link dev.asyncqueue.http.HttpEngine}s. Each exchange has a deadline that aborts it, cancelling its future
 * aborts it too, and no client follows redirects.
 */
package dev.asyncqueue.http;
