package dev.asyncqueue.benchmarks.http;

/** One client calling the function in a plain loop, at most a fixed number of calls at once. */
interface HttpLoop extends AutoCloseable {

    /** Makes {@code calls} calls and returns when every one has been answered; fails when one was not a 200. */
    void run(int calls) throws Exception;
}
