package dev.asyncqueue.examples.web;

/**
 * A request's head: what a route decides on before its body is read.
 *
 * @param method   the method, as sent ({@code POST})
 * @param rawPath  the path, %-escapes kept
 * @param rawQuery the query, %-escapes kept; empty when none
 * @param headers  the header lines
 */
public record Request(String method, String rawPath, String rawQuery, Headers headers) {
}
