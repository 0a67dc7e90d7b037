/**
 * A limiter as a third party would ship it: it depends on the api module only and announces itself in its own
 * {@code META-INF/services} entry, so {@code limiter_provider=aimd} selects it with no change to the worker.
 */
package dev.asyncqueue.examples.thirdparty;
