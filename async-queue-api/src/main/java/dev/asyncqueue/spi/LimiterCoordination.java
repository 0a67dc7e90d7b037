package dev.asyncqueue.spi;

import java.time.Duration;
import java.util.Objects;
import java.util.SortedMap;

/**
 * Lets the limiters of several worker replicas that pace the same function see each other, so that
 * together they keep the function full rather than each learning its capacity alone.
 *
 * <p>The transport only carries reports: each member publishes its latest {@link Report}, and reads the
 * latest report of every other member it has heard from within the time to live. What the reports mean
 * is the limiter's business. {@link #none()} is the default: no member ever sees another.
 */
public interface LimiterCoordination {

    /** Joins the group of replicas pacing {@code function}; the membership ends with {@link Membership#close()}. */
    Membership join(String function);

    /** No coordination: every limiter paces its function alone. */
    static LimiterCoordination none() {
        return NoCoordination.INSTANCE;
    }

    /** One replica's place in the group pacing one function. */
    interface Membership extends AutoCloseable {

        /** This member's id, unique in the group; members are ranked by it. */
        String self();

        /**
         * Makes {@code report} this member's latest, replacing the previous one; never blocks. The
         * transport keeps it alive (re-sends it) until the membership is closed or the replica dies.
         */
        void publish(Report report);

        /** The other members' latest reports, live ones only; cheap enough to call for every permit. */
        View view();

        /** Leaves the group: the other members stop counting this one. */
        @Override
        void close();
    }

    /**
     * The other members as last heard of.
     *
     * @param version changes whenever {@code others} does, so a reader can skip work when it has not
     * @param others  each live member's latest report, by member id
     */
    record View(long version, SortedMap<String, Report> others) {
        public View {
            Objects.requireNonNull(others, "others");
        }
    }

    /**
     * What one member's limiter tells the others about a function.
     *
     * @param limit          the member's effective limit: its limit, or the calls it still has running
     *                       if more
     * @param ceiling        the capacity the member believes the function has, all members together;
     *                       0 while unknown
     * @param stamp          orders the reports that changed the ceiling, across members: the highest wins
     * @param cut            whether the report with this stamp came from a 429
     * @param refusalLatency how long a 429 takes to come back, as the member measured it; zero while unknown
     * @param roundTrip      how long a successful call takes, as the member measured it; zero while unknown
     */
    record Report(int limit, int ceiling, long stamp, boolean cut, Duration refusalLatency, Duration roundTrip) {
        public Report {
            if (limit < 0 || ceiling < 0 || stamp < 0) {
                throw new IllegalArgumentException("limit, ceiling and stamp must not be negative: " + limit + ", "
                        + ceiling + ", " + stamp);
            }
            Objects.requireNonNull(refusalLatency, "refusalLatency");
            Objects.requireNonNull(roundTrip, "roundTrip");
        }
    }
}
