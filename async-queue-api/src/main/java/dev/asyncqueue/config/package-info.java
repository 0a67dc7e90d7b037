/**
 * Configuration: {@link dev.asyncqueue.config.Settings} holds named strings (usually the environment)
 * with typed, validated readers, and {@link dev.asyncqueue.config.WorkerSettings} is the api module's one
 * documented mapping from setting and annotation names to the value types that take them. Every bad
 * value fails with a {@link dev.asyncqueue.config.ConfigurationException} naming the setting.
 */
package dev.asyncqueue.config;
