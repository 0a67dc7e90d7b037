package dev.asyncqueue.examples.ops;

import com.sun.net.httpserver.HttpHandler;
import dev.asyncqueue.examples.web.BlockingRoute;
import dev.asyncqueue.examples.web.Reply;
import dev.asyncqueue.nats.JetStreamQueue;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Optional;

/**
 * Whether the worker is ready: connected to NATS, and its queue's stream exists. The one check behind
 * {@code /healthz} on the ingest port and on the metrics port, so both answer alike.
 */
public final class HealthCheck {
    private static final Logger log = LoggerFactory.getLogger(HealthCheck.class);
    private final JetStreamQueue queue;

    /** Checks the queue's connection and stream at each call. */
    public HealthCheck(JetStreamQueue queue) {
        this.queue = queue;
    }

    /** Why the worker is not ready, or empty when it is. */
    public Optional<String> problem() {
        Connection connection = queue.connection();
        if (connection.getStatus() != Connection.Status.CONNECTED) {
            return Optional.of("NATS not connected (" + connection.getStatus() + ")");
        }
        try {
            connection.jetStreamManagement().getStreamInfo(queue.streamName());
            return Optional.empty();
        } catch (JetStreamApiException e) {
            return Optional.of("stream " + queue.streamName() + " unavailable: " + e.getErrorDescription());
        } catch (IOException | RuntimeException e) {
            // The answer may reach callers of the ingest port: the client library's own words go to the log.
            log.warn("health: cannot read stream {}: {}", queue.streamName(), e.toString());
            return Optional.of("stream " + queue.streamName() + " unavailable (the log has the detail)");
        }
    }

    /** {@code GET /healthz} on the metrics port's server: 200 {@code ok} when ready, else 503 with the reason. */
    public HttpHandler handler() {
        return exchange -> {
            try (exchange) {
                Optional<String> problem = problem();
                Replies.send(exchange, problem.isEmpty() ? 200 : 503, Replies.TEXT, problem.orElse("ok") + "\n");
            }
        };
    }

    /** {@code GET /healthz} on the ingest port, answered as {@link #handler()} answers. */
    public BlockingRoute route() {
        return (request, body) -> {
            Optional<String> problem = problem();
            return Reply.of(problem.isEmpty() ? 200 : 503, Replies.TEXT, problem.orElse("ok") + "\n");
        };
    }
}
