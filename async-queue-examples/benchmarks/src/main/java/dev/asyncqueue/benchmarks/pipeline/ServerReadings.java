package dev.asyncqueue.benchmarks.pipeline;

import java.util.List;
import java.util.Map;

/**
 * What a worker-over-HTTP case measured of the Node.js servers it called in other processes, beside its rates.
 *
 * @param floorClient       the plain Java loop that was fastest in the qualifying round, so the floor
 * @param qualifying        each plain loop's median calls/s in the qualifying round, fastest first
 * @param ceiling           {@code wrk}'s readings straight at the function server, calls/s
 * @param libraryServerCpu  the servers' CPU microseconds per call during the library's timed runs
 * @param floorServerCpu    the same during the floor's timed runs
 */
public record ServerReadings(String floorClient, Map<String, Double> qualifying, List<Double> ceiling,
                             List<Double> libraryServerCpu, List<Double> floorServerCpu) {

    /** Copies the readings, keeping the qualifying round's order. */
    public ServerReadings {
        qualifying = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(qualifying));
        ceiling = List.copyOf(ceiling);
        libraryServerCpu = List.copyOf(libraryServerCpu);
        floorServerCpu = List.copyOf(floorServerCpu);
    }

    /** The median of the ceiling's readings. */
    public double ceilingMedian() {
        return ThroughputComparison.median(ceiling);
    }

    /** The ceiling's median over the library's median rate. */
    public double ceilingOver(double libraryRate) {
        return ceilingMedian() / libraryRate;
    }
}
