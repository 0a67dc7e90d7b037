package dev.asyncqueue.examples;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.EnqueueReceipt;
import dev.asyncqueue.Invocation;
import dev.asyncqueue.PendingMessages;
import dev.asyncqueue.callback.CallbackPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the ingest's HTTP connection handling must keep on the wire: pipelined requests answered in the order
 * sent, even when the first is confirmed last; {@code Expect: 100-continue} answered {@code 100} only when the
 * body is wanted, and a refusal instead when the declared body is too large.
 */
class IngestConnectionTest {
    private static final long LIMIT = 1024;
    private IngestServer server;

    /** Confirms every call at once, except call {@code slow}, confirmed a little later. */
    private static final class Queue implements AsyncQueue {
        @Override
        public String name() {
            return "jobs";
        }

        @Override
        public CompletionStage<EnqueueReceipt> enqueue(Invocation invocation) {
            EnqueueReceipt receipt = new EnqueueReceipt(invocation.callId(), "jobs", 1, false);
            return invocation.callId().equals("slow")
                    ? CompletableFuture.supplyAsync(() -> receipt, CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS))
                    : CompletableFuture.completedFuture(receipt);
        }

        @Override
        public long maxMessageBytes() {
            return LIMIT;
        }

        @Override
        public PendingMessages pending() {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @BeforeEach
    void start() throws Exception {
        server = new IngestServer(0, new IngestLimits(2, 10, 8));
        server.serve(IngestHandler.PREFIX, new IngestHandler(new QueueRouter("jobs", Map.of(), Set.of(), name -> new Queue()),
                CallbackPolicy.defaults(), 8));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static String post(String callId, String extraHeaders, String body) {
        return "POST /async-function/echo HTTP/1.1\r\nHost: x\r\nX-Call-Id: " + callId + "\r\nContent-Length: "
                + body.length() + "\r\n" + extraHeaders + "\r\n" + body;
    }

    /** Reads one answer: its status line and headers, and its body by {@code Content-Length}. */
    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) return head.size() == 0 ? null : head.toString(StandardCharsets.ISO_8859_1);
            head.write(b);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : text.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
        }
        return text + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    @Test
    void pipelinedRequestsAreAnsweredInTheOrderSentOnOneConnection() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write((post("slow", "", "one") + post("fast", "", "two")).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());

            String first = readAnswer(in);
            String second = readAnswer(in);

            assertTrue(first != null && first.startsWith("HTTP/1.1 202") && first.contains("X-Call-Id: slow"), first);
            assertTrue(second != null && second.startsWith("HTTP/1.1 202") && second.contains("X-Call-Id: fast"), second);
        }
    }

    @Test
    void expectContinueIsAnsweredOnlyWhenTheBodyIsWanted() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String head = post("wanted", "Expect: 100-continue\r\n", "hello");
            out.write(head.substring(0, head.length() - 5).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();

            String interim = readAnswer(in);
            out.write("hello".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String answer = readAnswer(in);

            assertTrue(interim != null && interim.startsWith("HTTP/1.1 100"), interim);
            assertTrue(answer != null && answer.startsWith("HTTP/1.1 202"), answer);
        }
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /async-function/echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + (LIMIT + 1)
                    + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();

            String answer = readAnswer(new BufferedInputStream(socket.getInputStream()));

            assertTrue(answer != null && answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(answer.contains(Long.toString(LIMIT)), answer);
        }
    }

    @Test
    void aKeptAliveConnectionServesOneCallAfterAnother() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < 3; i++) {
                out.write(post("call-" + i, "", "body " + i).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                String answer = readAnswer(in);
                assertTrue(answer != null && answer.startsWith("HTTP/1.1 202"), answer);
                assertTrue(answer.contains("X-Call-Id: call-" + i), answer);
            }
        }
    }
}
