package dev.asyncqueue.benchmarks.http;

import java.util.List;

/**
 * How the comparison runs.
 *
 * @param calls         calls per timed run of a Java client
 * @param concurrency   the levels of calls at once, each compared on its own
 * @param repeats       timed runs of each client per level
 * @param warmupSeconds untimed calls per client and level before the first timed run
 * @param bodyBytes     request body size
 * @param wrkSeconds    length of one {@code wrk} run
 * @param clients       the clients to run, {@code wrk} included
 */
record ComparisonSetup(int calls, List<Integer> concurrency, int repeats, int warmupSeconds, int bodyBytes,
                       int wrkSeconds, List<String> clients) {
}
