package dev.asyncqueue.benchmarks.http;

import java.net.URI;
import java.util.List;

/**
 * The plain Java client loops of the HTTP comparison (every client but the library's own invokers), for other
 * benchmarks to take a floor from: the same loops, configured the same way, on a chain of one or more URLs.
 */
public final class PlainLoops {
    private PlainLoops() {
    }

    /** The names of the plain loops, as {@code bin/benchmark http} reports them. */
    public static List<String> names() {
        return Candidate.all().stream().filter(c -> c.chain().isPresent()).map(Candidate::name).toList();
    }

    /**
     * Opens the plain loop of this name: each call posts {@code body} to the first URL, then each later URL
     * gets the answer of the one before it, at most {@code concurrency} calls at once.
     */
    public static HttpLoop open(String name, List<URI> urls, int concurrency, byte[] body) throws Exception {
        Candidate candidate = Candidate.all().stream().filter(c -> c.name().equals(name) && c.chain().isPresent())
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no plain loop named " + name));
        return candidate.chain().orElseThrow().open(urls, concurrency, body);
    }

    /** The function's URL under a gateway, as every client calls it. */
    public static URI function(URI gateway) {
        return Candidate.function(gateway);
    }
}
