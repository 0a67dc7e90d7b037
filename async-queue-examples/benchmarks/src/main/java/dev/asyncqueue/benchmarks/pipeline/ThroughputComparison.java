package dev.asyncqueue.benchmarks.pipeline;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One throughput case of the pipeline benchmark: the library's rate and the raw jnats floor's rate from the
 * same run, one reading per repetition each (messages per second).
 *
 * @param name        the case, as the report and chart label it
 * @param library     the library's readings
 * @param floor       the raw loop's readings
 * @param target      the lowest library / floor ratio the case aims for, or 0 for an informational case
 * @param libraryCpu  the benchmark JVM's CPU microseconds per message during the library's timed runs
 * @param floorCpu    the same during the floor's timed runs
 * @param libraryNats the nats-server's CPU microseconds per message during the library's timed runs
 * @param floorNats   the same during the floor's timed runs
 * @param servers     for a case calling HTTP servers in other processes, what was measured of them
 */
public record ThroughputComparison(String name, List<Double> library, List<Double> floor, double target,
                                   List<Double> libraryCpu, List<Double> floorCpu, List<Double> libraryNats,
                                   List<Double> floorNats, Optional<ServerReadings> servers) {

    /** Copies the readings. */
    public ThroughputComparison {
        library = List.copyOf(library);
        floor = List.copyOf(floor);
        libraryCpu = List.copyOf(libraryCpu);
        floorCpu = List.copyOf(floorCpu);
        libraryNats = List.copyOf(libraryNats);
        floorNats = List.copyOf(floorNats);
    }

    /** Readings without servers in other processes. */
    public ThroughputComparison(String name, List<Double> library, List<Double> floor, double target,
                                List<Double> libraryCpu, List<Double> floorCpu, List<Double> libraryNats,
                                List<Double> floorNats) {
        this(name, library, floor, target, libraryCpu, floorCpu, libraryNats, floorNats, Optional.empty());
    }

    /** The same readings with what was measured of the servers called. */
    public ThroughputComparison withServers(ServerReadings readings) {
        return new ThroughputComparison(name, library, floor, target, libraryCpu, floorCpu, libraryNats, floorNats,
                Optional.of(readings));
    }

    /** Readings of rates only, without CPU figures. */
    public ThroughputComparison(String name, List<Double> library, List<Double> floor, double target) {
        this(name, library, floor, target, List.of(), List.of(), List.of(), List.of());
    }

    /** The median of the library's readings. */
    public double libraryMedian() {
        return median(library);
    }

    /** The median of the floor's readings, NaN when there are none. */
    public double floorMedian() {
        return median(floor);
    }

    /** Library median over floor median, NaN without a floor. */
    public double ratio() {
        double floorMedian = floorMedian();
        return floorMedian > 0 ? libraryMedian() / floorMedian : Double.NaN;
    }

    /** Whether the ratio reaches the target; informational cases always do. */
    public boolean met() {
        return target <= 0 || ratio() >= target;
    }

    /** The ratio as {@code 0.93 x}, or {@code n/a}. */
    public String ratioText() {
        double ratio = ratio();
        return Double.isNaN(ratio) ? "n/a" : String.format(Locale.ROOT, "%.2f x", ratio);
    }

    /** The median of the values, NaN for none; the mean of the middle two for an even count. */
    static double median(List<Double> values) {
        if (values.isEmpty()) return Double.NaN;
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Readings as {@code 1234, 1250, 1302}, rounded to whole messages per second. */
    static String readings(List<Double> values) {
        return String.join(", ", Arrays.stream(values.stream().mapToDouble(Double::doubleValue).toArray())
                .mapToObj(v -> String.format(Locale.ROOT, "%.0f", v)).toList());
    }
}
