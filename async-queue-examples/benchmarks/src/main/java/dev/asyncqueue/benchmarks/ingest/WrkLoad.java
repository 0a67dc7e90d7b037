package dev.asyncqueue.benchmarks.ingest;

import dev.asyncqueue.benchmarks.Bench;
import dev.asyncqueue.benchmarks.http.Wrk;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code wrk} (one thread, the given connections, a POST of a fixed body, {@code http-clients/post.lua}) against
 * an ingest in this JVM, through {@link Wrk}, with this JVM's and the nats-server's CPU read around each run.
 */
final class WrkLoad {
    private final Path wrk;
    private final Path script;
    private final int bodyBytes;

    private WrkLoad(Path wrk, Path script, int bodyBytes) {
        this.wrk = wrk;
        this.script = script;
        this.bodyBytes = bodyBytes;
    }

    /** The {@code wrk} on the PATH with the POST script copied to {@code workDir}; empty without {@code wrk}. */
    static Optional<WrkLoad> find(Path workDir, int bodyBytes) throws IOException {
        Optional<Path> wrk = Wrk.find();
        if (wrk.isEmpty()) return Optional.empty();
        Path script = workDir.resolve("post.lua");
        try (InputStream in = WrkLoad.class.getResourceAsStream("/http-clients/post.lua")) {
            if (in == null) throw new IOException("missing resource http-clients/post.lua");
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        return Optional.of(new WrkLoad(wrk.get(), script, bodyBytes));
    }

    /** {@code wrk -v}'s first line. */
    String version() {
        return Wrk.version(wrk);
    }

    /** One run of {@code duration} with {@code connections} connections at {@code url}. */
    LoadRun run(URI url, int connections, Duration duration) throws IOException, InterruptedException {
        Duration jvm = Bench.processCpu();
        Duration nats = Bench.natsServerCpu();
        Wrk.Load load = Wrk.load(wrk, script, url, connections, duration, bodyBytes);
        long jvmNanos = Bench.processCpu().minus(jvm).toNanos();
        long natsNanos = Bench.natsServerCpu().minus(nats).toNanos();
        return new LoadRun(load.calls(), load.wallNanos(), jvmNanos, natsNanos, load.wrkNanos());
    }
}
