package dev.asyncqueue.benchmarks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MarkedSectionTest {
    private static final String PIPELINE = "# Benchmarks\n\n## Throughput\n\nrows\n\n## Machine and versions\n\n- nproc\n";

    @Test
    void aReportWithoutTheSectionGetsItBeforeItsMachineHeading() {
        String written = MarkedSection.replace(PIPELINE, "## HTTP clients\n\ntable");

        assertEquals("# Benchmarks\n\n## Throughput\n\nrows\n\n" + MarkedSection.BEGIN + "\n## HTTP clients\n\ntable\n"
                + MarkedSection.END + "\n\n## Machine and versions\n\n- nproc\n", written);
    }

    @Test
    void theSectionIsReplacedInPlaceAndTheRestKept() {
        String once = MarkedSection.replace(PIPELINE, "old table");

        String twice = MarkedSection.replace(once, "new table");

        assertEquals(once.replace("old table", "new table"), twice);
    }

    @Test
    void aRegeneratedPipelineReportKeepsTheSectionOfTheFileItReplaces() {
        String previous = MarkedSection.replace(PIPELINE.replace("rows", "old rows"), "the clients' table");

        String regenerated = MarkedSection.carryOver(previous, PIPELINE.replace("rows", "new rows"));

        assertTrue(regenerated.contains("new rows") && !regenerated.contains("old rows"), regenerated);
        assertEquals(MarkedSection.find(previous), MarkedSection.find(regenerated));
        assertEquals(PIPELINE, MarkedSection.carryOver(PIPELINE, PIPELINE), "nothing to carry over");
    }

    @Test
    void aTextWithoutAMachineHeadingGetsTheSectionAtTheEnd() {
        assertEquals("# Other\n\n" + MarkedSection.BEGIN + "\nbody\n" + MarkedSection.END + "\n",
                MarkedSection.replace("# Other\n", "body"));
    }
}
