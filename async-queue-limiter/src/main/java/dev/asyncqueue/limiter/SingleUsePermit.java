package dev.asyncqueue.limiter;

import dev.asyncqueue.Outcome;
import dev.asyncqueue.Permit;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** A permit that hands its outcome to its limiter once and fails loudly on a second release. */
final class SingleUsePermit implements Permit {
    private final String owner;
    private final Consumer<Outcome> onRelease;
    private final AtomicBoolean released = new AtomicBoolean();

    /**
     * @param owner     names the limiter in messages (usually the function)
     * @param onRelease gives the permit back; called at most once
     */
    SingleUsePermit(String owner, Consumer<Outcome> onRelease) {
        this.owner = owner;
        this.onRelease = onRelease;
    }

    @Override
    public void release(Outcome outcome) {
        Objects.requireNonNull(outcome, "outcome");
        // A second release would free a slot some other call holds, so the limit would silently
        // stop limiting; better to fail the caller that has the bug.
        if (!released.compareAndSet(false, true)) {
            throw new IllegalStateException("permit of " + owner + " released twice (second outcome " + outcome + ")");
        }
        onRelease.accept(outcome);
    }

    @Override
    public String toString() {
        return "Permit[" + owner + (released.get() ? ", released]" : ", held]");
    }
}
