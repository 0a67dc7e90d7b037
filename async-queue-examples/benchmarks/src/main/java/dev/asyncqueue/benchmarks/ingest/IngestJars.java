package dev.asyncqueue.benchmarks.ingest;

import dev.asyncqueue.benchmarks.http.ClientJars;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The jars each server adds to the example app, picked by {@code group:artifact} prefix from the benchmarks'
 * resolved dependencies ({@link ClientJars}).
 *
 * @param jars every resolved jar
 */
record IngestJars(ClientJars jars) {
    /** The {@code group:artifact} prefixes of the jars each server technology brings. */
    static final Map<String, List<String>> PREFIXES = Map.of(
            "jdk", List.of(),
            "jetty", List.of("org.eclipse.jetty:jetty-server:", "org.eclipse.jetty:jetty-http:",
                    "org.eclipse.jetty:jetty-io:", "org.eclipse.jetty:jetty-util:"),
            "netty", List.of("io.netty:"));

    /** The list the build wrote; empty when the harness runs without it. */
    static IngestJars resolved() throws IOException {
        return new IngestJars(ClientJars.resolved());
    }

    /** The jars of a server technology, by {@code group:artifact:version}. */
    List<ClientJars.Jar> of(String server) {
        return jars.matching(PREFIXES.getOrDefault(server, List.of())).stream()
                .sorted(Comparator.comparing(ClientJars.Jar::coordinates)).toList();
    }

    /** Their total size in bytes. */
    long bytes(String server) {
        return of(server).stream().mapToLong(jar -> Math.max(0, jar.bytes())).sum();
    }
}
