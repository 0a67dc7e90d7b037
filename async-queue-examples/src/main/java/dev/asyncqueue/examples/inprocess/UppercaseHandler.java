package dev.asyncqueue.examples.inprocess;

import dev.asyncqueue.Invocation;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** A sample in-process function: answers its body in upper case. */
public final class UppercaseHandler implements FunctionHandler {
    @Override
    public String name() {
        return "uppercase";
    }

    @Override
    public String handle(Invocation invocation) {
        return new String(invocation.body(), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
    }
}
