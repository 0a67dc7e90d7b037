/**
 * What the example worker adds for operators, one room per concern: {@link dev.asyncqueue.examples.ops.MetricsEndpoint}
 * (the Prometheus registry, the modules' bindings and {@code /metrics}), {@link dev.asyncqueue.examples.ops.HealthCheck}
 * (the one readiness check behind {@code /healthz} on both ports), and
 * {@link dev.asyncqueue.examples.ops.CallStatusService} (call states, the status and cancellation routes, the
 * cancellations the worker hears of). Each takes typed values from {@code AppConfig}, never raw settings.
 */
package dev.asyncqueue.examples.ops;
