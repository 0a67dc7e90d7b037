package dev.asyncqueue.benchmarks.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The jars a library adds to an embedder's class path, from the benchmarks' resolved dependencies
 * ({@code http-clients/dependencies.txt}, written by the build's {@code dependency:list}): the HTTP clients
 * compared here, and the ingest servers compared by the ingest benchmark.
 */
public final class ClientJars {
    /**
     * One resolved jar.
     *
     * @param group    Maven group
     * @param artifact Maven artifact
     * @param version  resolved version
     * @param bytes    size of the jar file, -1 when it is not at hand
     */
    public record Jar(String group, String artifact, String version, long bytes) {
        /** {@code group:artifact:version}. */
        public String coordinates() {
            return group + ":" + artifact + ":" + version;
        }
    }

    private final List<Jar> jars;

    private ClientJars(List<Jar> jars) {
        this.jars = jars;
    }

    /** The list the build wrote; empty when the harness runs without it. */
    public static ClientJars resolved() throws IOException {
        List<Jar> jars = new ArrayList<>();
        try (InputStream in = ClientJars.class.getResourceAsStream("/http-clients/dependencies.txt")) {
            if (in == null) return new ClientJars(jars);
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
                jars.add(new Jar(parts[0], parts[1], parts[parts.length - 3], Files.exists(file) ? Files.size(file) : -1));
            }
        }
        return new ClientJars(jars);
    }

    /** The jars whose {@code group:artifact:} starts with one of the prefixes (a trailing colon names one artifact). */
    public List<Jar> matching(List<String> prefixes) {
        List<Jar> found = new ArrayList<>();
        for (Jar jar : jars) {
            String name = jar.group() + ":" + jar.artifact() + ":";
            if (prefixes.stream().anyMatch(name::startsWith)) found.add(jar);
        }
        return found;
    }
}
