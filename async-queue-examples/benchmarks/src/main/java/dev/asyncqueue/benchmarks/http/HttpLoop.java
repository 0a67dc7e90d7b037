package dev.asyncqueue.benchmarks.http;

/**
 * One client calling in a plain loop, at most a fixed number of calls at once. A call is one exchange, or a
 * chain of them (the function, then a callback receiver given the function's answer), each a POST whose
 * whole answer is read and checked to be a 200.
 */
public interface HttpLoop extends AutoCloseable {

    /** Makes {@code calls} calls and returns when every one has been answered; fails when one was not a 200. */
    void run(int calls) throws Exception;
}
