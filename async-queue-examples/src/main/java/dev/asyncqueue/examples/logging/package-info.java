/**
 * The example apps' SLF4J provider: readable lines, or one JSON object per line with {@code log_encoding=json}
 * so log collectors can read a call's id, function, attempt and status as fields. The library modules log
 * through the SLF4J API only; choosing a provider is the application's business, and this is the examples' choice.
 */
package dev.asyncqueue.examples.logging;
