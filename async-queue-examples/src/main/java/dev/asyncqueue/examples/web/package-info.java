/**
 * The ingest port's requests and answers without a transport: a {@link dev.asyncqueue.examples.web.Route}
 * sees a request's head, and answers it at once, asks for its body (and answers when an asynchronous step
 * completes), or asks for it to be served on a thread that may block; the HTTP server under it is an adapter.
 */
package dev.asyncqueue.examples.web;
