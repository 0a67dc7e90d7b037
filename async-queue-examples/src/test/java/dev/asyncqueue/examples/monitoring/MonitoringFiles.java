package dev.asyncqueue.examples.monitoring;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where the monitoring files and the Prometheus executables are; a missing one fails the test, naming the fix. */
final class MonitoringFiles {
    static final String INSTALL_HINT = "run bin/install-prometheus (apt-get install prometheus) or put it on the PATH";
    private static final Pattern ALERT = Pattern.compile("^\\s*-\\s*alert:\\s*(\\S+)\\s*$", Pattern.MULTILINE);

    private MonitoringFiles() {
    }

    /** The repository's {@code monitoring} directory, found from the working directory upwards. */
    static Path directory() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("monitoring");
            if (Files.isRegularFile(candidate.resolve("prometheus/async-queue-alerts.yml"))) return candidate;
        }
        throw new AssertionError("no monitoring/prometheus/async-queue-alerts.yml above " + Path.of("").toAbsolutePath());
    }

    static Path alertRules() {
        return directory().resolve("prometheus/async-queue-alerts.yml");
    }

    static Path alertTests() {
        return directory().resolve("prometheus/async-queue-alerts.test.yml");
    }

    static Path dashboard() {
        return directory().resolve("grafana/async-queue-dashboard.json");
    }

    /** The alert names the rules file defines, in order. */
    static List<String> alertNames() throws Exception {
        Matcher m = ALERT.matcher(Files.readString(alertRules()));
        List<String> names = new ArrayList<>();
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /**
     * The executable {@code name} from the PATH (or {@code /usr/bin}, where Debian puts it). Missing, it
     * fails rather than skips: CI installs it, and a skipped check would pass unseen.
     */
    static Path executable(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/bin");
        for (String dir : dirs) {
            if (dir.isEmpty()) continue;
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
        }
        throw new AssertionError(name + " not found on the PATH: " + INSTALL_HINT);
    }
}
