/**
 * The README's embedding example, compiled so it cannot drift from the API: enqueue a call and run a worker
 * inside your own application, with your own connection, invoker and limiters, and no example app around it.
 */
package dev.asyncqueue.examples.embedding;
