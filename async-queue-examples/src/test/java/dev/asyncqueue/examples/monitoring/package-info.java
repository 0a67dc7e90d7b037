/**
 * Tests of what the repository gives operators (the Prometheus alerting rules under
 * {@code monitoring/prometheus} and the Grafana dashboard under {@code monitoring/grafana}): the rules
 * through {@code promtool}, and the dashboard's queries through a real Prometheus scraping a running
 * example worker. Both need Debian's {@code prometheus} package ({@code bin/install-prometheus}).
 */
package dev.asyncqueue.examples.monitoring;
