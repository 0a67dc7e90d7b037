package dev.asyncqueue.benchmarks;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Redeliveries the worker's own returns and retries do not explain are counted, the others are not. */
class AttemptAuditTest {
    private final AttemptAudit audit = new AttemptAudit();

    @Test
    void retriesAndReturnsExplainTheirRedeliveries() {
        audit.started("a", 1);
        audit.requeued("a"); // retry
        audit.started("a", 2);
        audit.requeued("a"); // 429 returned to the queue
        audit.requeued("a"); // limiter said no before the call started
        audit.started("a", 4);
        assertEquals(0, audit.unexplainedRedeliveries());
    }

    @Test
    void aDeliveryTheWorkerNeverSettledShowsAsARedelivery() {
        audit.started("b", 1);
        audit.started("b", 2); // the server redelivered it after the ack wait
        audit.started("c", 2); // first seen at attempt 2: delivery 1 never reached a start
        assertEquals(2, audit.unexplainedRedeliveries());
        assertEquals(2, audit.callsAffected());
    }
}
