package dev.asyncqueue.worker;

import dev.asyncqueue.Delivery;
import dev.asyncqueue.WorkSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SourceBackoffTest {
    private final SourceBackoff backoff = new SourceBackoff(Duration.ofNanos(100));
    private final WorkSource a = source(Optional.of("a"));
    private final WorkSource b = source(Optional.of("b"));
    private final WorkSource shared = source(Optional.empty());

    @Test
    void aFailedSourceSitsOutItsWaitWhileTheOthersStayInTheirOrder() {
        List<WorkSource> all = List.of(a, shared, b);
        assertEquals(all, backoff.ready(all, 0));

        backoff.failed(shared, 10);
        assertEquals(List.of(a, b), backoff.ready(all, 10));
        assertEquals(List.of(a, b), backoff.ready(all, 109), "still waiting");
        assertEquals(all, backoff.ready(all, 110), "its wait is over");
        assertEquals(0, backoff.waiting(), "and it is forgotten");
    }

    @Test
    void sourcesAreToldApartByTheirFunctionSoANewSourceForTheSameFunctionWaitsToo() {
        backoff.failed(a, 0);
        WorkSource again = source(Optional.of("a"));
        assertEquals(List.of(b), backoff.ready(List.of(again, b), 50));
    }

    private static WorkSource source(Optional<String> function) {
        return new WorkSource() {
            @Override
            public Optional<String> function() {
                return function;
            }

            @Override
            public int fetch(int max, Duration maxWait, Consumer<Delivery> sink) {
                return 0;
            }

            @Override
            public String toString() {
                return function.orElse("shared");
            }
        };
    }
}
