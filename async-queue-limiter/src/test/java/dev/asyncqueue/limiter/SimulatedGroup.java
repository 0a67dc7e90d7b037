package dev.asyncqueue.limiter;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The replicas of a {@link SharedFunctionSimulation} as members of one group: default adaptive limiters
 * on one {@link LocalLimiterCoordination} board, whose reports reach the others in {@link #DELAY} and
 * expire {@link #TTL} after a replica's last heartbeat.
 */
final class SimulatedGroup {
    /** How long a member stays counted after its last heartbeat. */
    static final Duration TTL = Duration.ofSeconds(3);
    /** How long a report takes to reach the others: a store on the local network. */
    static final Duration DELAY = Duration.ofMillis(2);

    private final SharedFunctionSimulation simulation;
    private final FakeTicker ticker;
    private final LocalLimiterCoordination.Board board;
    private final Map<SharedFunctionSimulation.Replica, AdaptiveConcurrencyLimiter> limiters = new IdentityHashMap<>();
    private int joined;

    SimulatedGroup(SharedFunctionSimulation simulation, FakeTicker ticker) {
        this.simulation = simulation;
        this.ticker = ticker;
        this.board = LocalLimiterCoordination.board(ticker, TTL, DELAY);
    }

    /** A new replica, joining now; ids grow, so later replicas rank after earlier ones. */
    SharedFunctionSimulation.Replica join() {
        LocalLimiterCoordination coordination = board.replica(String.format("replica-%02d", joined++));
        AdaptiveConcurrencyLimiter limiter = AdaptiveConcurrencyLimiter.builder().name("sleep").ticker(ticker)
                .coordination(coordination).build();
        SharedFunctionSimulation.Replica replica = simulation.add(limiter, coordination::heartbeat);
        limiters.put(replica, limiter);
        return replica;
    }

    /** {@code count} replicas joining now. */
    SimulatedGroup join(int count) {
        for (int i = 0; i < count; i++) join();
        return this;
    }

    /** The replica stops taking work, and leaves the group once its calls are done. */
    void leave(SharedFunctionSimulation.Replica replica) {
        simulation.leave(replica, limiters.get(replica)::close);
    }
}
