/**
 * The api module's Micrometer binding, {@link dev.asyncqueue.metrics.QueueMetrics}: what a worker does and
 * what callers submit, under the meter names OpenFaaS dashboards and autoscalers read. The caller hands
 * over the registry; none is global.
 */
package dev.asyncqueue.metrics;
