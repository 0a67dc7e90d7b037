/**
 * Test fixtures other modules' tests share through the nats module's test-jar: a real {@code nats-server}
 * process on loopback ({@link dev.asyncqueue.nats.testing.LocalNatsServer}), since nothing about NATS is
 * mocked in this project's tests.
 */
package dev.asyncqueue.nats.testing;
