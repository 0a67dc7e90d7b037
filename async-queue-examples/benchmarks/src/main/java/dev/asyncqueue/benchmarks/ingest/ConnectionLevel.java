package dev.asyncqueue.benchmarks.ingest;

import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Every ingest's runs at one number of connections.
 *
 * @param connections {@code wrk}'s connections
 * @param sides       the ingests, in the order they were listed
 * @param runs        each ingest's timed runs, by name
 */
record ConnectionLevel(int connections, List<IngestSide> sides, Map<String, List<LoadRun>> runs) {

    /** The median of an ingest's runs by {@code value}; NaN without runs. */
    double median(String side, ToDoubleFunction<LoadRun> value) {
        double[] values = runs.getOrDefault(side, List.of()).stream().mapToDouble(value).sorted().toArray();
        if (values.length == 0) return Double.NaN;
        return values.length % 2 == 1 ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }
}
