/**
 * The fairness benchmark ({@code bin/benchmark fairness}): one function with a large backlog and several with a
 * few calls each, drained in static and in function mode, to show how long the small functions wait behind the
 * large one; writes {@code FAIRNESS.md}.
 */
package dev.asyncqueue.benchmarks.fairness;
