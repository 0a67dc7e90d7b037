package dev.asyncqueue.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker's fat jar ships no benchmark, JMH or XChart class. The reactor packages the examples before
 * this module's tests run, and the build fails here if a benchmark or its libraries found their way in.
 */
class WorkerJarContentsTest {
    /** Entry prefixes of the benchmarks, and of JMH, XChart and the libraries each of them pulls in. */
    static final List<String> FORBIDDEN = List.of(
            "dev/asyncqueue/benchmarks/", "dev/asyncqueue/examples/bench/", "dev/asyncqueue/nats/BenchmarkCodec",
            "org/openjdk/jmh/", "META-INF/BenchmarkList", "META-INF/CompilerHints", "META-INF/maven/org.openjdk.jmh/",
            "joptsimple/", "org/apache/commons/math3/",
            "org/knowm/", "META-INF/maven/org.knowm.xchart/", "de/erichseifert/", "de/rototor/", "org/apache/pdfbox/",
            "org/apache/fontbox/", "org/apache/commons/logging/", "com/madgag/");

    /** The jar's entries that start with a forbidden prefix. */
    static List<String> forbiddenEntries(Path jar) throws IOException {
        List<String> found = new ArrayList<>();
        for (String entry : entries(jar)) {
            if (FORBIDDEN.stream().anyMatch(entry::startsWith)) found.add(entry);
        }
        return found;
    }

    private static List<String> entries(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return Collections.list(zip.entries()).stream().map(java.util.zip.ZipEntry::getName).toList();
        }
    }

    @Test
    void theWorkerJarHoldsTheAppAndNoBenchmarkJmhOrXChartClass() throws IOException {
        Path jar = Path.of(System.getProperty("worker.jar", "../target/async-queue-worker.jar"));
        assertTrue(Files.isRegularFile(jar), "no " + jar.toAbsolutePath()
                + ": it is built when the examples module is packaged (mvn verify does that before this module)");
        assertTrue(entries(jar).contains("dev/asyncqueue/examples/QueueWorkerApp.class"), jar + " is not the worker's jar");

        List<String> forbidden = forbiddenEntries(jar);

        assertEquals(List.of(), forbidden.subList(0, Math.min(20, forbidden.size())),
                forbidden.size() + " entries of " + jar + " belong to the benchmarks or their libraries");
    }

    @Test
    void aJarWithABenchmarkJmhOrXChartClassFailsTheCheck(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("worker.jar");
        List<String> names = List.of("dev/asyncqueue/examples/QueueWorkerApp.class",
                "dev/asyncqueue/benchmarks/pipeline/PipelineBenchmark.class", "org/openjdk/jmh/runner/Runner.class",
                "org/knowm/xchart/XYChart.class", "io/nats/client/Connection.class");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String name : names) {
                out.putNextEntry(new JarEntry(name));
                out.write(new byte[]{(byte) 0xCA, (byte) 0xFE});
                out.closeEntry();
            }
        }

        assertEquals(List.of("dev/asyncqueue/benchmarks/pipeline/PipelineBenchmark.class",
                "org/openjdk/jmh/runner/Runner.class", "org/knowm/xchart/XYChart.class"), forbiddenEntries(jar));
    }
}
