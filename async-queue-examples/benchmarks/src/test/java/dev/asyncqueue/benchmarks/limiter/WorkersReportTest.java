package dev.asyncqueue.benchmarks.limiter;

import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-N sections of LIMITER.md: each run rewrites its own, in N order, and the single scenario keeps them. */
class WorkersReportTest {
    private static final String SINGLE = "# Adaptive concurrency\n\nthe single-process report\n\n## Machine\n\n- cpu\n";

    @Test
    void aRunRewritesOnlyItsOwnSectionAndSectionsStayInOrder() {
        String text = WorkersReport.replace(SINGLE, 3, "three, first");
        text = WorkersReport.replace(text, 1, "one");
        text = WorkersReport.replace(text, 5, "five");
        text = WorkersReport.replace(text, 3, "three, again");

        assertTrue(text.startsWith(SINGLE.strip()), text);
        assertEquals(1, count(text, WorkersReport.HEADING), text);
        assertTrue(text.indexOf("one") < text.indexOf("three, again") && text.indexOf("three, again") < text.indexOf("five"),
                text);
        assertTrue(!text.contains("three, first"), text);
    }

    @Test
    void theSingleScenarioCarriesEverySectionOverWhenItRewritesTheFile() {
        String previous = WorkersReport.replace(WorkersReport.replace("# old report\n", 1, "one"), 5, "five");
        String regenerated = WorkersReport.carryOver(previous, SINGLE);

        assertTrue(regenerated.startsWith(SINGLE.strip()), regenerated);
        assertTrue(regenerated.contains("one") && regenerated.contains("five") && !regenerated.contains("old report"),
                regenerated);
        assertEquals(regenerated, WorkersReport.carryOver(regenerated, SINGLE), "carrying over twice changes nothing");
    }

    @Test
    void aWorkersLimitIsReadFromItsScrapeByFunction() {
        String scrape = """
                # HELP queue_worker_concurrency_limit Current concurrency limit of a function
                # TYPE queue_worker_concurrency_limit gauge
                queue_worker_concurrency_limit{function_name="warmup",queue_name="q",} 40.0
                queue_worker_concurrency_limit{function_name="sleep",queue_name="q",} 7.0
                """;
        assertEquals(OptionalInt.of(7), WorkerProcess.limitIn(scrape, "sleep"));
        assertEquals(OptionalInt.empty(), WorkerProcess.limitIn(scrape, "other"));
        assertEquals(OptionalInt.empty(), WorkerProcess.limitIn(
                "queue_worker_concurrency_limit{function_name=\"sleep\",} NaN\n", "sleep"));
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) n++;
        return n;
    }
}
