package dev.asyncqueue.examples.web;

import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/** A route's decision on a request's head. */
public sealed interface Admission {
    /** Answer now; the body is not read. */
    record Answer(Reply reply) implements Admission {
    }

    /**
     * Read the body, then answer when {@code then} completes; {@code then} runs on the I/O thread and must
     * not block. A body over {@code maxBytes} is handed over cut at {@code maxBytes + 1} bytes, so the route
     * can tell and refuse it. {@code abandoned} runs instead of {@code then} when the caller goes away first.
     */
    record ReadBody(long maxBytes, Function<byte[], CompletionStage<Reply>> then, Runnable abandoned)
            implements Admission {
    }

    /** Read the body (cut as {@link ReadBody}'s is), then answer from {@code work} on a thread that may block. */
    record Blocking(long maxBytes, BlockingRoute work) implements Admission {
    }

    /** Decide on a thread that may block (opening a queue the first time); the decision is then carried out. */
    record Offload(Supplier<Admission> decide) implements Admission {
    }

    /** Answer now. */
    static Admission answer(Reply reply) {
        return new Answer(reply);
    }
}
