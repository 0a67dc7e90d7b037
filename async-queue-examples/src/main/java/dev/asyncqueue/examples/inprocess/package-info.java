/**
 * The {@code java} invoker: functions written as plain Java ({@link dev.asyncqueue.examples.inprocess.FunctionHandler}),
 * found with {@link java.util.ServiceLoader} and run in the worker's process instead of over HTTP. It shows how
 * an {@code Invoker} is added through the provider SPI, with no change to the worker.
 */
package dev.asyncqueue.examples.inprocess;
