/**
 * Helpers the project's own modules share (thread naming, failure descriptions). Not part of the API:
 * public only so the nats module and the example app can use them; they may change in any release, and the
 * Javadoc leaves them out.
 */
package dev.asyncqueue.internal;
