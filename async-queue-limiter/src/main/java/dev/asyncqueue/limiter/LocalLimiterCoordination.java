package dev.asyncqueue.limiter;

import dev.asyncqueue.Ticker;
import dev.asyncqueue.spi.LimiterCoordination;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Limiter coordination between replicas in one JVM, through a shared {@link Board}: for tests, and for
 * several workers embedded in one process. Each replica is one {@code LocalLimiterCoordination}; what it
 * publishes reaches the others after the board's delay, and it stays a member while its {@link
 * #heartbeat()} runs at least once per time to live, as a remote store's members do.
 */
public final class LocalLimiterCoordination implements LimiterCoordination {
    private final Board board;
    private final String replica;

    private LocalLimiterCoordination(Board board, String replica) {
        this.board = board;
        this.replica = replica;
    }

    /** A board whose reports reach the other replicas after {@code delay} and expire {@code ttl} after the last heartbeat. */
    public static Board board(Ticker ticker, Duration ttl, Duration delay) {
        return new Board(ticker, ttl, delay);
    }

    @Override
    public Membership join(String function) {
        Objects.requireNonNull(function, "function");
        // A later join of the same function (a replaced limiter) takes over; only it may then leave.
        int generation = board.open(function, replica);
        return new Membership() {
            private long version;
            private SortedMap<String, Report> last = Collections.emptySortedMap();
            /** The board's change count and the time until which {@code last} holds, absent changes. */
            private long seenChanges = -1;
            private long validUntil;

            @Override
            public String self() {
                return replica;
            }

            @Override
            public void publish(Report report) {
                board.publish(function, replica, Objects.requireNonNull(report, "report"));
            }

            @Override
            public synchronized View view() {
                long now = board.ticker.read();
                if (seenChanges != board.changes() || now - validUntil >= 0) {
                    Seen seen = board.others(function, replica);
                    seenChanges = seen.changes();
                    validUntil = seen.validUntil();
                    if (!seen.others().equals(last)) {
                        last = seen.others();
                        version++;
                    }
                }
                return new View(version, last);
            }

            @Override
            public void close() {
                board.close(function, replica, generation);
            }
        };
    }

    /** Keeps every membership of this replica alive: call it at least once per time to live while the replica runs. */
    public void heartbeat() {
        board.beat(replica);
    }

    @Override
    public String toString() {
        return "local limiter coordination, replica " + replica;
    }

    /** What the replicas of one process share: every member's reports, with when each becomes visible. */
    public static final class Board {
        private final Ticker ticker;
        private final long ttl;
        private final long delay;
        /** By function, then member. */
        private final Map<String, Map<String, Member>> functions = new HashMap<>();
        /** Counts every publish, heartbeat and close, so that a view can tell it is still current. */
        private long changes;

        private Board(Ticker ticker, Duration ttl, Duration delay) {
            this.ticker = Objects.requireNonNull(ticker, "ticker");
            if (ttl.isNegative() || ttl.isZero() || delay.isNegative()) {
                throw new IllegalArgumentException("need a positive ttl and a delay of at least zero, got " + ttl
                        + " and " + delay);
            }
            this.ttl = ttl.toNanos();
            this.delay = delay.toNanos();
        }

        /** The coordination of the replica called {@code id}; replicas are ranked by id. */
        public LocalLimiterCoordination replica(String id) {
            return new LocalLimiterCoordination(this, Objects.requireNonNull(id, "id"));
        }

        private synchronized int open(String function, String id) {
            Member m = functions.computeIfAbsent(function, f -> new HashMap<>()).computeIfAbsent(id, k -> new Member());
            m.beats.add(ticker.read());
            m.closedAt = Long.MAX_VALUE;
            changes++;
            return ++m.generation;
        }

        private synchronized void publish(String function, String id, Report report) {
            Member m = functions.computeIfAbsent(function, f -> new HashMap<>()).computeIfAbsent(id, k -> new Member());
            long now = ticker.read();
            m.reports.add(new Stamped(now, report));
            m.beats.add(now);
            changes++;
        }

        private synchronized void beat(String id) {
            long now = ticker.read();
            for (Map<String, Member> members : functions.values()) {
                Member m = members.get(id);
                if (m != null && m.closedAt == Long.MAX_VALUE) m.beats.add(now);
            }
            changes++;
        }

        private synchronized void close(String function, String id, int generation) {
            Member m = functions.getOrDefault(function, Map.of()).get(id);
            if (m != null && m.generation == generation) m.closedAt = ticker.read();
            changes++;
        }

        private synchronized long changes() {
            return changes;
        }

        /** What {@code self} sees of the others now, and until when that holds if nothing is published. */
        private synchronized Seen others(String function, String self) {
            long now = ticker.read();
            long until = now + ttl;
            SortedMap<String, Report> seen = new TreeMap<>();
            for (Map.Entry<String, Member> e : functions.getOrDefault(function, Map.of()).entrySet()) {
                if (e.getKey().equals(self)) continue;
                Member m = e.getValue();
                if (m.closedAt != Long.MAX_VALUE && now - m.closedAt >= delay) continue;
                if (m.closedAt != Long.MAX_VALUE) until = Math.min(until, m.closedAt + delay);
                Report report = m.visible(now - delay);
                until = Math.min(until, m.nextReportAt(now - delay) + delay);
                long beat = m.lastBeat(now - delay);
                if (report != null && beat != Long.MIN_VALUE && now - delay - beat < ttl) {
                    seen.put(e.getKey(), report);
                    until = Math.min(until, beat + delay + ttl);
                }
            }
            return new Seen(Collections.unmodifiableSortedMap(seen), changes, until);
        }

        @Override
        public String toString() {
            return "local limiter board (ttl " + Duration.ofNanos(ttl) + ", delay " + Duration.ofNanos(delay) + ")";
        }
    }

    private record Stamped(long at, Report report) {
    }

    /** One look at the board: the others, the board's change count, and until when the look holds. */
    private record Seen(SortedMap<String, Report> others, long changes, long validUntil) {
    }

    /** One member's reports and heartbeats, oldest first; what is superseded by a visible one is dropped. */
    private static final class Member {
        final ArrayDeque<Stamped> reports = new ArrayDeque<>();
        final ArrayDeque<Long> beats = new ArrayDeque<>();
        long closedAt = Long.MAX_VALUE;
        int generation;

        /** The latest report published at or before {@code until}. */
        Report visible(long until) {
            while (reports.size() > 1 && secondAt(reports) <= until) reports.poll();
            Stamped first = reports.peek();
            return first == null || first.at() > until ? null : first.report();
        }

        /** When the first report published after {@code until} was published; far in the future if none was. */
        long nextReportAt(long until) {
            Stamped first = reports.peek();
            if (first != null && first.at() > until) return first.at();
            return reports.size() < 2 ? Long.MAX_VALUE / 4 : secondAt(reports);
        }

        /** The latest heartbeat at or before {@code until}, or {@link Long#MIN_VALUE}. */
        long lastBeat(long until) {
            while (beats.size() > 1 && secondBeat() <= until) beats.poll();
            Long first = beats.peek();
            return first == null || first > until ? Long.MIN_VALUE : first;
        }

        private static long secondAt(ArrayDeque<Stamped> q) {
            var it = q.iterator();
            it.next();
            return it.next().at();
        }

        private long secondBeat() {
            var it = beats.iterator();
            it.next();
            return it.next();
        }
    }
}
