package dev.asyncqueue.benchmarks.pipeline;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pipeline benchmark's medians, ratios and target checks. */
class ThroughputComparisonTest {

    @Test
    void theMedianOfAnOddCountIsTheMiddleReadingAndOfAnEvenCountTheMeanOfTheMiddleTwo() {
        assertEquals(20.0, ThroughputComparison.median(List.of(30.0, 10.0, 20.0)));
        assertEquals(25.0, ThroughputComparison.median(List.of(40.0, 10.0, 20.0, 30.0)));
        assertTrue(Double.isNaN(ThroughputComparison.median(List.of())));
    }

    @Test
    void theRatioIsTheLibraryMedianOverTheFloorMedianAndDecidesTheTarget() {
        ThroughputComparison close = new ThroughputComparison("x", List.of(95.0, 90.0, 100.0), List.of(100.0, 100.0, 110.0), 0.9);
        ThroughputComparison far = new ThroughputComparison("y", List.of(50.0), List.of(100.0), 0.9);

        assertEquals(0.95, close.ratio(), 1e-9);
        assertTrue(close.met());
        assertEquals("0.95 x", close.ratioText());
        assertFalse(far.met());
    }

    @Test
    void anInformationalCaseHasNoTargetToMissAndACaseWithoutAFloorHasNoRatio() {
        ThroughputComparison info = new ThroughputComparison("z", List.of(10.0), List.of(100.0), 0);
        ThroughputComparison noFloor = new ThroughputComparison("w", List.of(10.0), List.of(), 0.9);

        assertTrue(info.met());
        assertEquals("n/a", noFloor.ratioText());
    }

    @Test
    void readingsAreListedAsWholeMessagesPerSecond() {
        assertEquals("1235, 99", ThroughputComparison.readings(List.of(1234.6, 99.2)));
    }
}
