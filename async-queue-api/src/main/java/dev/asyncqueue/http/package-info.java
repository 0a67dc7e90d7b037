/**
 * HTTP on the JDK's client: the {@link dev.asyncqueue.http.HttpInvoker} that calls functions through an
 * OpenFaaS-style gateway (and its {@code http} provider), the {@link dev.asyncqueue.http.HttpCallbackSender}
 * that posts results, and the header rules both follow.
 */
package dev.asyncqueue.http;
