package dev.asyncqueue.examples.web;

/** Work that may block (a read from a key-value store, a check on the server): served on a bounded pool. */
@FunctionalInterface
public interface BlockingRoute {
    /** The answer to {@code request} with its {@code body}; an exception is answered 500. */
    Reply answer(Request request, byte[] body) throws Exception;
}
