/**
 * The limiter scenario ({@code bin/benchmark limiter}): the documented OpenFaaS burst on a simulated, autoscaled
 * {@code sleep} function, through the real worker in function mode, with the limiter off and then adaptive;
 * writes {@code LIMITER.md}, its chart and its samples. The simulated farm is a pure state machine over an
 * injected clock ({@code ReplicaPool}) behind a loopback HTTP server.
 */
package dev.asyncqueue.benchmarks.limiter;
