/**
 * What a callback is and where it may go: the {@link dev.asyncqueue.callback.Callback} carrying a final
 * result, the {@link dev.asyncqueue.callback.CallbackSender} contract, and the guard around any sender
 * ({@link dev.asyncqueue.callback.GuardedCallbackSender}) that applies the
 * {@link dev.asyncqueue.callback.CallbackPolicy} (no link-local or metadata addresses, an optional
 * allow-list) and signs with a {@link dev.asyncqueue.callback.CallbackSigner}. The HTTP sender itself lives
 * in {@link dev.asyncqueue.http}.
 */
package dev.asyncqueue.callback;
