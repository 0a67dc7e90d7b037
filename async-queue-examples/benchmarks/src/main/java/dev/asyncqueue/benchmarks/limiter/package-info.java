/**
 * The limiter scenario ({@code bin/benchmark limiter}): the documented OpenFaaS burst on a simulated, autoscaled
 * {@code sleep} function, through the real worker in function mode, with the limiter off and then adaptive;
 * writes {@code LIMITER.md}, its chart and its samples. The simulated farm is a pure state machine over an
 * injected clock ({@code ReplicaPool}) behind a loopback HTTP server. With {@code --workers=N} the same burst is
 * drained by N example worker processes whose limiters coordinate through NATS, one killed and one added while
 * they run, beside an oracle that keeps the farm exactly full; each N writes its own section of {@code LIMITER.md}.
 */
package dev.asyncqueue.benchmarks.limiter;
