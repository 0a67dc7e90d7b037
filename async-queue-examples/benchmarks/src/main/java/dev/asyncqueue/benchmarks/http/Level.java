package dev.asyncqueue.benchmarks.http;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The runs of every client at one level of calls at once, in the order the clients were listed.
 *
 * @param concurrency calls at once
 * @param runs        each client's timed runs, by name
 */
record Level(int concurrency, Map<String, List<Run>> runs) {

    /** The median of a client's runs by {@code value}. */
    double median(String client, ToDoubleFunction<Run> value) {
        double[] values = runs.getOrDefault(client, List.of()).stream().mapToDouble(value).sorted().toArray();
        if (values.length == 0) return Double.NaN;
        return values.length % 2 == 1 ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    /**
     * The plain Java loop with the highest median rate: neither {@code wrk} nor one of the library's invokers,
     * which are what is measured against it.
     */
    Optional<String> fastestPlainLoop() {
        return runs.keySet().stream()
                .filter(name -> !name.equals(Candidate.WRK) && !Candidate.isLibrary(name) && !runs.get(name).isEmpty())
                .max(Comparator.comparingDouble(name -> median(name, Run::rate)));
    }

    /** The clients by median rate, fastest first. */
    List<String> byRate() {
        return runs.keySet().stream().filter(name -> !runs.get(name).isEmpty())
                .sorted(Comparator.comparingDouble((String name) -> median(name, Run::rate)).reversed()).toList();
    }

    @Override
    public String toString() {
        return "Level[" + concurrency + ", " + Arrays.toString(runs.keySet().toArray()) + "]";
    }
}
