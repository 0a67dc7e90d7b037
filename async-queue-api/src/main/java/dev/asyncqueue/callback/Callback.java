package dev.asyncqueue.callback;

import dev.asyncqueue.Invocation;
import dev.asyncqueue.InvocationResult;

import java.net.URI;

/**
 * The final result of an invocation, addressed to its callback URL.
 *
 * @param url        where to post it
 * @param invocation the invocation it answers
 * @param result     the last attempt's result
 * @param retries    retries made ({@code X-Retry})
 * @param maxRetries retries allowed ({@code X-Retry-Max}); equal to {@code retries} when the budget ran out
 */
public record Callback(URI url, Invocation invocation, InvocationResult result, int retries, int maxRetries) {
}
