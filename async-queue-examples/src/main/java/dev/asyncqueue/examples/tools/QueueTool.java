package dev.asyncqueue.examples.tools;

import dev.asyncqueue.PendingMessages;
import dev.asyncqueue.config.ConfigurationException;
import dev.asyncqueue.config.Settings;
import dev.asyncqueue.nats.DeadLetter;
import dev.asyncqueue.nats.DeadLetterQueue;
import dev.asyncqueue.nats.JetStreamQueue;
import dev.asyncqueue.nats.NatsConnections;
import dev.asyncqueue.nats.Subjects;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.PurgeOptions;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator's command line for queues ({@code bin/queue-tool <command>}): look at queues and their
 * consumers, purge work, reset a stream, and list, replay or purge dead letters. NATS is found as the
 * worker finds it ({@code nats_url}, or {@code nats_host}/{@code nats_port}). Destructive commands ask
 * before acting unless given {@code --yes}, and print what they removed.
 */
public final class QueueTool {
    static final String USAGE = """
            usage: queue-tool <command> [arguments] [--yes]
              queues                            queues with pending messages per function, consumers, dead letters
              purge <queue> [--function NAME]   remove every waiting message of the queue, or of one function
              reset <queue>                     delete the queue's stream and create it again, empty, same settings
              dlq list <queue> [--limit N]      list dead letters (default limit 100)
              dlq replay <queue> <call-id|--all>  put dead letters back into the queue
              dlq purge <queue> <call-id|--all>   delete dead letters
            NATS: nats_url (or nats_host, nats_port) from the environment; destructive commands ask unless --yes.
            """;

    private final Connection connection;
    private final BufferedReader in;
    private final PrintStream out;

    QueueTool(Connection connection, BufferedReader in, PrintStream out) {
        this.connection = connection;
        this.in = in;
        this.out = out;
    }

    /** Runs one command; exit status 0 on success, 1 when refused or failed, 2 for bad usage. */
    public static void main(String[] args) {
        System.setProperty("slf4j.provider", "dev.asyncqueue.examples.logging.LineLoggingProvider");
        System.setProperty("slf4j.internal.verbosity", "WARN"); // no plain-text "loading provider" line
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            // The tool's output is its own printing; library logs only when something is wrong.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.exit(run(args, Settings.fromEnvironment(), in, System.out, System.err));
    }

    /** {@link #main} with its inputs and outputs given, for tests and embedding. */
    public static int run(String[] args, Settings settings, BufferedReader in, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
            out.print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        try (Connection connection = NatsConnections.connect(settings, "async-queue-tool")) {
            return new QueueTool(connection, in, out).dispatch(List.of(args));
        } catch (UsageException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (ConfigurationException e) {
            err.println("configuration error: " + e.getMessage());
            return 2;
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            err.println("failed: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("interrupted");
            return 1;
        }
    }

    int dispatch(List<String> args) throws IOException, JetStreamApiException, InterruptedException {
        Arguments a = new Arguments(args);
        String command = a.positional(0, "command");
        switch (command) {
            case "queues" -> {
                return queues();
            }
            case "purge" -> {
                return purge(a.positional(1, "queue"), a.option("--function"), a.flag("--yes"));
            }
            case "reset" -> {
                return reset(a.positional(1, "queue"), a.flag("--yes"));
            }
            case "dlq" -> {
                String sub = a.positional(1, "dlq command (list, replay, purge)");
                String queue = a.positional(2, "queue");
                DeadLetterQueue dlq = DeadLetterQueue.open(connection, queue);
                return switch (sub) {
                    case "list" -> dlqList(dlq, a.option("--limit") == null ? 100 : parseLimit(a.option("--limit")));
                    case "replay" -> dlqReplay(dlq, a.flag("--all") ? null : a.positional(3, "call id or --all"));
                    case "purge" -> dlqPurge(dlq, a.flag("--all") ? null : a.positional(3, "call id or --all"),
                            a.flag("--yes"));
                    default -> throw new UsageException("unknown dlq command '" + sub + "'");
                };
            }
            default -> throw new UsageException("unknown command '" + command + "'");
        }
    }

    private int queues() throws IOException, JetStreamApiException {
        JetStreamManagement jsm = connection.jetStreamManagement();
        List<String> names = new ArrayList<>(jsm.getStreamNames());
        names.sort(null);
        int shown = 0;
        for (String stream : names) {
            if (!stream.startsWith("OF_") || stream.endsWith("_DLQ")) continue;
            String queue = stream.substring(3);
            shown++;
            JetStreamQueue q;
            PendingMessages pending;
            try {
                q = JetStreamQueue.builder(connection).queue(queue).deadLetters(false).build();
                pending = q.pending();
            } catch (RuntimeException e) {
                out.println("queue " + queue + " (stream " + stream + "): unreadable: " + e.getMessage());
                continue;
            }
            out.println("queue " + queue + " (stream " + stream + "): " + pending.total() + " pending");
            for (Map.Entry<String, Long> f : new TreeMap<>(pending.byFunction()).entrySet()) {
                out.println("  function " + f.getKey() + ": " + f.getValue() + " pending");
            }
            long unattributed = pending.total() - pending.byFunction().values().stream().mapToLong(Long::longValue).sum();
            if (unattributed > 0) out.println("  legacy subject: " + unattributed + " pending");
            for (ConsumerInfo c : jsm.getConsumers(stream)) {
                String filter = c.getConsumerConfiguration().getFilterSubject();
                out.println("  consumer " + c.getName() + (filter == null || filter.isEmpty() ? "" : " (" + filter + ")")
                        + ": " + c.getNumPending() + " pending, " + c.getNumAckPending() + " ack pending, "
                        + c.getRedelivered() + " redelivered");
            }
            String dlqStream = DeadLetterQueue.streamName(queue);
            if (names.contains(dlqStream)) {
                out.println("  dead letters (" + dlqStream + "): " + DeadLetterQueue.open(connection, queue).count());
            }
        }
        if (shown == 0) out.println("no queues (no OF_* streams)");
        return 0;
    }

    private int purge(String queue, String function, boolean yes) throws IOException, JetStreamApiException {
        String stream = Subjects.streamName(queue);
        JetStreamManagement jsm = connection.jetStreamManagement();
        StreamInfo info = jsm.getStreamInfo(stream);
        String what;
        PurgeOptions options;
        long count;
        if (function == null) {
            what = "every message of queue " + queue;
            options = null;
            count = info.getStreamState().getMsgCount();
        } else {
            String subject = Subjects.forFunction(queue, function);
            what = "the messages of function " + function + " in queue " + queue;
            options = PurgeOptions.subject(subject);
            count = JetStreamQueue.builder(connection).queue(queue).deadLetters(false).build().pending().forFunction(function);
        }
        if (!confirm("Purge " + what + " (" + count + " now)?", yes)) return 1;
        long purged = (options == null ? jsm.purgeStream(stream) : jsm.purgeStream(stream, options)).getPurged();
        out.println("purged " + purged + " message(s): " + what);
        return 0;
    }

    private int reset(String queue, boolean yes) throws IOException, JetStreamApiException {
        String stream = Subjects.streamName(queue);
        JetStreamManagement jsm = connection.jetStreamManagement();
        StreamInfo info = jsm.getStreamInfo(stream);
        long count = info.getStreamState().getMsgCount();
        long consumers = info.getStreamState().getConsumerCount();
        if (!confirm("Delete stream " + stream + " with " + count + " message(s) and " + consumers
                + " consumer(s), and create it again empty?", yes)) {
            return 1;
        }
        StreamConfiguration config = info.getConfiguration();
        jsm.deleteStream(stream);
        jsm.addStream(config);
        out.println("reset " + stream + ": removed " + count + " message(s) and " + consumers
                + " consumer(s); workers re-create their consumers when they restart");
        return 0;
    }

    private int dlqList(DeadLetterQueue dlq, int limit) {
        List<DeadLetter> letters = dlq.list(limit);
        if (letters.isEmpty()) out.println("no dead letters in " + dlq.streamName());
        for (DeadLetter d : letters) {
            out.println(d.sequence() + "  " + d.time() + "  call " + d.callId() + "  function "
                    + (d.function().isEmpty() ? "?" : d.function()) + "  " + d.reason() + "  last status "
                    + d.lastStatus() + "  attempts " + d.attempts() + "  " + d.payload().length + " bytes"
                    + (d.detail().isEmpty() ? "" : "  (" + d.detail() + ")"));
        }
        return 0;
    }

    private int dlqReplay(DeadLetterQueue dlq, String callId) {
        List<DeadLetter> replayed = callId == null ? dlq.replayAll() : dlq.replay(callId);
        for (DeadLetter d : replayed) out.println("replayed " + d.sequence() + " call " + d.callId());
        out.println("replayed " + replayed.size() + " dead letter(s) into queue " + dlq.streamName()
                .replaceFirst("^OF_", "").replaceFirst("_DLQ$", ""));
        return callId != null && replayed.isEmpty() ? 1 : 0;
    }

    private int dlqPurge(DeadLetterQueue dlq, String callId, boolean yes) {
        if (callId == null) {
            if (!confirm("Delete all " + dlq.count() + " dead letter(s) in " + dlq.streamName() + "?", yes)) return 1;
            out.println("purged " + dlq.purgeAll() + " dead letter(s) from " + dlq.streamName());
            return 0;
        }
        List<DeadLetter> found = dlq.find(callId);
        if (found.isEmpty()) {
            out.println("no dead letter for call " + callId);
            return 1;
        }
        if (!confirm("Delete " + found.size() + " dead letter(s) of call " + callId + "?", yes)) return 1;
        for (DeadLetter d : dlq.purge(callId)) out.println("purged " + d.sequence() + " call " + d.callId());
        return 0;
    }

    private boolean confirm(String question, boolean yes) {
        if (yes) return true;
        out.print(question + " [y/N] ");
        out.flush();
        String answer;
        try {
            answer = in.readLine();
        } catch (IOException e) {
            answer = null;
        }
        boolean confirmed = answer != null && List.of("y", "yes").contains(answer.trim().toLowerCase(Locale.ROOT));
        if (!confirmed) out.println("nothing removed");
        return confirmed;
    }

    private static int parseLimit(String text) {
        try {
            int n = Integer.parseInt(text);
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("--limit must be a positive whole number, got '" + text + "'");
        }
    }

    /** Bad command line. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** Positional arguments, {@code --flag}s and {@code --option value}s. */
    private static final class Arguments {
        private final List<String> positional = new ArrayList<>();
        private final Map<String, String> options = new TreeMap<>();

        Arguments(List<String> args) {
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                if (arg.equals("--function") || arg.equals("--limit")) {
                    if (i + 1 >= args.size()) throw new UsageException(arg + " needs a value");
                    options.put(arg, args.get(++i));
                } else if (arg.equals("--yes") || arg.equals("-y") || arg.equals("--all")) {
                    options.put(arg.equals("-y") ? "--yes" : arg, "");
                } else if (arg.startsWith("--")) {
                    throw new UsageException("unknown option " + arg);
                } else {
                    positional.add(arg);
                }
            }
        }

        String positional(int index, String what) {
            if (index >= positional.size()) throw new UsageException("missing " + what);
            return positional.get(index);
        }

        String option(String name) {
            return options.get(name);
        }

        boolean flag(String name) {
            return options.containsKey(name);
        }
    }
}
