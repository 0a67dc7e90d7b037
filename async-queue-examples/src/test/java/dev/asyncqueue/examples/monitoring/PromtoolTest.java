package dev.asyncqueue.examples.monitoring;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The alerting rules pass {@code promtool check rules}, and their unit tests pass and cover every alert both ways. */
@Tag("monitoring")
class PromtoolTest {

    /** What a finished process printed and how it exited. */
    private record Run(int exit, String output) {
    }

    private static Run promtool(Path workDir, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(MonitoringFiles.executable("promtool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        // promtool's output is small; reading it to the end also waits for the exit.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("promtool " + String.join(" ", args) + " did not finish: " + output);
        }
        return new Run(process.exitValue(), output);
    }

    @Test
    void theAlertingRulesPassPromtoolCheckRules() throws Exception {
        Path rules = MonitoringFiles.alertRules();
        Run run = promtool(rules.getParent(), "check", "rules", rules.getFileName().toString());

        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("SUCCESS: " + MonitoringFiles.alertNames().size() + " rules found"), run.output());
    }

    @Test
    void theAlertingRulesPassTheirPromtoolUnitTests() throws Exception {
        Path tests = MonitoringFiles.alertTests();
        Run run = promtool(tests.getParent(), "test", "rules", tests.getFileName().toString());

        assertEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("SUCCESS"), run.output());
    }

    @Test
    void everyAlertIsUnitTestedFiringAndNotFiring() throws Exception {
        Set<String> firing = new TreeSet<>();
        Set<String> silent = new TreeSet<>();
        String alert = null;
        // The test file lists `alertname: X` then `exp_alerts: []` (not firing) or `exp_alerts:` and a list.
        for (String line : Files.readAllLines(MonitoringFiles.alertTests())) {
            String trimmed = line.trim();
            if (trimmed.startsWith("alertname:")) {
                alert = trimmed.substring("alertname:".length()).trim();
            } else if (trimmed.startsWith("exp_alerts:") && alert != null) {
                (trimmed.endsWith("[]") ? silent : firing).add(alert);
                alert = null;
            }
        }
        List<String> names = MonitoringFiles.alertNames();

        assertFalse(names.isEmpty(), "no alerts found in " + MonitoringFiles.alertRules());
        assertEquals(new TreeSet<>(names), firing, "alerts tested firing");
        assertEquals(new TreeSet<>(names), silent, "alerts tested not firing");
    }
}
