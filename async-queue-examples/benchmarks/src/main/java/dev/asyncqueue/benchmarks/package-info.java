/**
 * The benchmarks behind the reports in {@code docs/} ({@code bin/benchmark limiter|fairness|pipeline|micro}),
 * and what they share: argument parsing and log levels ({@link dev.asyncqueue.benchmarks.Bench}), the machine a
 * run was on, a zero-latency function server and an audit of redeliveries. This module is built beside the
 * example worker and never shipped with it, so JMH and XChart stay out of the worker's jar.
 */
package dev.asyncqueue.benchmarks;
