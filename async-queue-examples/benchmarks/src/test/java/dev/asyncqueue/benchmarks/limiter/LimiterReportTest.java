package dev.asyncqueue.benchmarks.limiter;

import dev.asyncqueue.benchmarks.Machine;
import dev.asyncqueue.retry.RetryPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scenario's report judges the target from the numbers, and its chart renders headless. */
class LimiterReportTest {
    private static final LimiterScenario.Setup SETUP = new LimiterScenario.Setup(1000, 50, FarmSettings.documented(),
            RetryPolicy.defaults(), Duration.ofMillis(250), Duration.ofMinutes(1));
    private static final Machine MACHINE = new Machine(2, "cpu", "1 GiB", "os", "17", "v2.9.10", "git commit 0000000");

    private static LimiterScenarioResult run(String label, long sent, long rejected, Duration drain, boolean limited) {
        List<TimelinePoint> points = new ArrayList<>();
        for (int i = 0; i <= 20; i++) {
            int replicas = Math.min(10, 1 + i / 2);
            points.add(new TimelinePoint(i * 0.5, limited ? Math.max(2, 5 * replicas - 2) : -1, replicas, 5 * replicas,
                    4 * replicas, rejected * i / 20, 50L * i));
        }
        return new LimiterScenarioResult(label, 1000, true, drain, sent, rejected, limited ? 0 : rejected, limited ? rejected : 0,
                1000, 0, 3, 0, Duration.ofSeconds(4), Duration.ofSeconds(9), Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofSeconds(2),
                Duration.ofSeconds(1), "limiter", points, List.of());
    }

    @Test
    void everyReportKeepsThePointerToTheHandWrittenPageOnSeveralWorkers() {
        LimiterScenarioResult off = run("limiter off", 3000, 2000, Duration.ofSeconds(20), false);
        String report = LimiterReport.markdown(SETUP, 0, MACHINE, Instant.EPOCH, "", off,
                run("limiter on (adaptive)", 1040, 40, Duration.ofSeconds(15), true), "chart.png", "chart.csv");
        assertTrue(report.contains("[LIMITER-MULTI.md](LIMITER-MULTI.md)"), report);
    }

    @Test
    void theTargetIsMetOnlyWithUnderFivePercent429sAndADrainNoSlowerThanWithoutTheLimiter() {
        LimiterScenarioResult off = run("limiter off", 3000, 2000, Duration.ofSeconds(20), false);
        String met = LimiterReport.markdown(SETUP, 0, MACHINE, Instant.EPOCH, "", off,
                run("limiter on (adaptive)", 1040, 40, Duration.ofSeconds(15), true), "chart.png", "chart.csv");
        assertTrue(met.contains("**target met**"), met);

        String tooMany429s = LimiterReport.markdown(SETUP, 0, MACHINE, Instant.EPOCH, "", off,
                run("limiter on (adaptive)", 1060, 60, Duration.ofSeconds(15), true), "chart.png", "chart.csv");
        assertTrue(tooMany429s.contains("= 5.7 % → **not met**"), tooMany429s);

        String slower = LimiterReport.markdown(SETUP, 0, MACHINE, Instant.EPOCH, "", off,
                run("limiter on (adaptive)", 1010, 10, Duration.ofSeconds(21), true), "chart.png", "chart.csv");
        assertTrue(slower.contains("(1.05 x) → **not met**"), slower);
        assertTrue(slower.contains("**target not met**"), slower);
    }

    @Test
    void theChartIsAPngOfFourPanels(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("chart.png");
        LimiterChart.write(run("limiter off", 3000, 2000, Duration.ofSeconds(10), false),
                run("limiter on (adaptive)", 1040, 40, Duration.ofSeconds(9), true), FarmSettings.documented(), png);
        BufferedImage image = ImageIO.read(Files.newInputStream(png));
        assertEquals(1800, image.getWidth());
        assertEquals(1000, image.getHeight());
    }
}
