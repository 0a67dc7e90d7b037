/**
 * HTTP to functions and callback receivers: the {@link dev.asyncqueue.http.HttpInvoker} that calls functions
 * through an OpenFaaS-style gateway (its {@code http} and {@code http-jdk} providers), the
 * {@link dev.asyncqueue.http.HttpCallbackSender} that posts results on the same client, and the header rules
 * both follow. The default client is Apache HttpClient 5 classic, blocking calls on a bounded pool of threads
 * and keep-alive connections sized by {@code max_inflight}; the JDK's asynchronous client is the
 * dependency-free choice ({@link dev.asyncqueue.http.HttpEngine}). Each exchange has a deadline that aborts
 * it, cancelling its future aborts it too, and neither client follows redirects.
 */
package dev.asyncqueue.http;
