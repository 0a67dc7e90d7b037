package dev.asyncqueue.examples.inprocess;

import dev.asyncqueue.Invocation;

import java.nio.charset.StandardCharsets;

/** A sample in-process function: counts the words of its body. */
public final class WordCountHandler implements FunctionHandler {
    @Override
    public String name() {
        return "wordcount";
    }

    @Override
    public String handle(Invocation invocation) {
        String text = new String(invocation.body(), StandardCharsets.UTF_8).trim();
        return Integer.toString(text.isEmpty() ? 0 : text.split("\\s+").length);
    }
}
