package dev.asyncqueue.benchmarks.ingest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A new run of the ingest comparison keeps the decision written by hand. */
class IngestReportTest {
    @Test
    void aNewRunKeepsTheHandWrittenDecision() {
        String previous = "# old\n\n## Decision\n\n" + IngestReport.DECISION_BEGIN + "\nKeep the JDK's server.\n"
                + IngestReport.DECISION_END + "\n\n## 16 connections\n";
        assertEquals(IngestReport.DECISION_BEGIN + "\nKeep the JDK's server.\n" + IngestReport.DECISION_END,
                IngestReport.decision(previous));
        assertEquals(IngestReport.DECISION_BEGIN + "\nTo be written from the tables below.\n" + IngestReport.DECISION_END,
                IngestReport.decision(""));
    }
}
