package dev.asyncqueue.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How many reactor threads serve the connections of the default engine. */
class ReactorThreadsTest {
    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

    @Test
    void aFewConnectionsShareOneThread() {
        assertEquals(1, ReactorTransport.reactorThreads(1));
        assertEquals(1, ReactorTransport.reactorThreads(8));
        assertEquals(1, ReactorTransport.reactorThreads(25));
    }

    @Test
    void moreConnectionsGetMoreThreadsButNeverMoreThanProcessors() {
        assertEquals(Math.min(2, PROCESSORS), ReactorTransport.reactorThreads(50));
        for (int connections : new int[]{26, 100, 1000, 100_000}) {
            int threads = ReactorTransport.reactorThreads(connections);
            assertTrue(threads >= 1 && threads <= PROCESSORS, connections + " connections: " + threads + " threads");
        }
        assertEquals(PROCESSORS, ReactorTransport.reactorThreads(100_000));
    }
}
