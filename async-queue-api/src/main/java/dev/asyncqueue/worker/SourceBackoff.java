package dev.asyncqueue.worker;

import dev.asyncqueue.WorkSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which sources sit out a wait because their last pull failed (a function whose consumer has vanished,
 * say), so that one broken source costs its own function a wait and not every function. Sources are
 * told apart by their function; sources shared by all functions count as one. Used by the dispatcher
 * thread alone.
 */
final class SourceBackoff {
    private static final String SHARED = "";

    private final long waitNanos;
    /** Until when (ticker nanoseconds) each failed source waits; only sources in their wait are here. */
    private final Map<String, Long> waitingUntil = new HashMap<>();

    /** Each failed source waits {@code wait} before it is asked again. */
    SourceBackoff(Duration wait) {
        this.waitNanos = wait.toNanos();
    }

    /** The sources not waiting at {@code now}, in their order; sources whose wait is over are forgotten. */
    List<WorkSource> ready(List<WorkSource> sources, long now) {
        if (waitingUntil.isEmpty()) return sources;
        waitingUntil.values().removeIf(until -> now - until >= 0);
        List<WorkSource> ready = new ArrayList<>(sources.size());
        for (WorkSource source : sources) {
            if (!waitingUntil.containsKey(key(source))) ready.add(source);
        }
        return ready;
    }

    /** {@code source}'s pull failed at {@code now}: it waits from here. */
    void failed(WorkSource source, long now) {
        waitingUntil.put(key(source), now + waitNanos);
    }

    /** Sources waiting now. */
    int waiting() {
        return waitingUntil.size();
    }

    private static String key(WorkSource source) {
        return source.function().orElse(SHARED);
    }
}
