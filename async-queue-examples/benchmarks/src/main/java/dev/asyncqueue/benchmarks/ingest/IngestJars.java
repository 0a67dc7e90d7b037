package dev.asyncqueue.benchmarks.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The jars each server adds to the example app, from the benchmarks' resolved dependencies
 * ({@code http-clients/dependencies.txt}, written by the build's {@code dependency:list}).
 *
 * @param jars every resolved jar as {@code group:artifact:version} with its size in bytes (-1 when not at hand)
 */
record IngestJars(Map<String, Long> jars) {
    /** The {@code group:artifact} prefixes of the jars each server technology brings. */
    static final Map<String, List<String>> PREFIXES = Map.of(
            "jdk", List.of(),
            "jetty", List.of("org.eclipse.jetty:jetty-server:", "org.eclipse.jetty:jetty-http:",
                    "org.eclipse.jetty:jetty-io:", "org.eclipse.jetty:jetty-util:"),
            "netty", List.of("io.netty:"));

    /** The list the build wrote; empty when the harness runs without it. */
    static IngestJars resolved() throws IOException {
        Map<String, Long> jars = new java.util.TreeMap<>();
        try (InputStream in = IngestJars.class.getResourceAsStream("/http-clients/dependencies.txt")) {
            if (in == null) return new IngestJars(jars);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                String entry = line.strip();
                int module = entry.indexOf(" -- ");
                if (module > 0) entry = entry.substring(0, module);
                String[] parts = entry.split(":");
                // group:artifact:type:version:scope:path (a classifier adds one field before the version)
                if (parts.length < 6 || !parts[parts.length - 1].startsWith("/")) continue;
                Path file = Path.of(parts[parts.length - 1]);
                jars.put(parts[0] + ":" + parts[1] + ":" + parts[parts.length - 3], Files.exists(file) ? Files.size(file) : -1);
            }
        }
        return new IngestJars(jars);
    }

    /** The jars of a server technology, {@code group:artifact:version}. */
    List<String> of(String server) {
        List<String> found = new ArrayList<>();
        for (String jar : jars.keySet()) {
            if (PREFIXES.getOrDefault(server, List.of()).stream().anyMatch(jar::startsWith)) found.add(jar);
        }
        return found;
    }

    /** Their total size in bytes. */
    long bytes(String server) {
        return of(server).stream().mapToLong(jar -> Math.max(0, jars.get(jar))).sum();
    }
}
