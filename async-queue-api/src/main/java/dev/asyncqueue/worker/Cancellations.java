package dev.asyncqueue.worker;

import java.util.function.Consumer;

/** What a worker asks about cancelled calls: whether one is cancelled, and a signal when one is. */
public interface Cancellations {

    /** True when a cancellation was requested for the call. */
    boolean isCancelled(String callId);

    /** {@code listener} hears the call id of every cancellation from now on, on some other thread. */
    void onCancel(Consumer<String> listener);

    /** Nothing is ever cancelled. */
    Cancellations NONE = new Cancellations() {
        @Override
        public boolean isCancelled(String callId) {
            return false;
        }

        @Override
        public void onCancel(Consumer<String> listener) {
        }
    };
}
