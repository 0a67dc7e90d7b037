/**
 * {@code bin/benchmark http}: the HTTP client comparison behind the library's choice of client. Each client
 * (the JDK's, Apache HttpClient 5 classic and async, Jetty, OkHttp, and the library's own {@code HttpInvoker}
 * on its two engines) calls one Node.js function server in another process in a plain loop, the clients
 * taking turns, beside {@code wrk}'s measure of the server's ceiling; {@code ClientReport} writes
 * {@code HTTP-CLIENTS.md} and the comparison's section of {@code BENCHMARKS.md}.
 */
package dev.asyncqueue.benchmarks.http;
