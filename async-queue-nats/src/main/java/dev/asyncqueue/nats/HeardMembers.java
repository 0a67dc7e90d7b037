package dev.asyncqueue.nats;

import dev.asyncqueue.spi.LimiterCoordination;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The members of one function's group as one process has heard of them: each one's latest report and
 * when it arrived. A member not heard from for the time to live is dropped when next looked at, and one known
 * to have gone as soon as its last calls have ended.
 * Thread-safe.
 */
final class HeardMembers {
    private record Heard(LimiterCoordination.Report report, long at) {
    }

    private final Map<String, Heard> members = new HashMap<>();
    private long version;
    /** When the earliest member expires; to be worked out again when {@code recheck}. */
    private long nextExpiry;
    private boolean recheck;
    private LimiterCoordination.View current;

    synchronized void heard(String member, LimiterCoordination.Report report, long at) {
        members.put(member, new Heard(report, at));
        changed();
    }

    /** The members heard of, {@code self} excepted, whether or not their time to live has passed. */
    synchronized List<String> others(String self) {
        List<String> others = new ArrayList<>(members.keySet());
        others.remove(self);
        return others;
    }

    /**
     * Lets a member known to have gone expire once the calls it had running at the function have ended: one of
     * its calls' round trips from {@code now}, as its last report measured it, and never later than it would
     * have anyway. True when that brought its expiry forward.
     */
    synchronized boolean fadeOut(String member, long now, long ttlNanos) {
        Heard heard = members.get(member);
        if (heard == null) return false;
        long grace = Math.min(ttlNanos, heard.report().roundTrip().toNanos());
        long at = now - ttlNanos + grace;
        if (at - heard.at() >= 0) return false;
        members.put(member, new Heard(heard.report(), at));
        changed();
        return true;
    }

    synchronized void forget(String member) {
        if (members.remove(member) != null) changed();
    }

    private void changed() {
        version++;
        current = null;
        recheck = true;
    }

    /** The live members other than {@code self}, as of {@code now}. */
    synchronized LimiterCoordination.View current(long now, long ttlNanos, String self) {
        if (recheck || !members.isEmpty() && now - nextExpiry >= 0) {
            boolean dropped = false;
            long earliest = now + ttlNanos;
            for (Iterator<Heard> it = members.values().iterator(); it.hasNext(); ) {
                Heard h = it.next();
                if (now - h.at() >= ttlNanos) {
                    it.remove();
                    dropped = true;
                } else {
                    earliest = h.at() + ttlNanos - earliest < 0 ? h.at() + ttlNanos : earliest;
                }
            }
            if (dropped) {
                version++;
                current = null;
            }
            nextExpiry = earliest;
            recheck = false;
        }
        if (current == null) {
            TreeMap<String, LimiterCoordination.Report> others = new TreeMap<>();
            members.forEach((member, heard) -> {
                if (!member.equals(self)) others.put(member, heard.report());
            });
            current = new LimiterCoordination.View(version, Collections.unmodifiableSortedMap(others));
        }
        return current;
    }
}
