package dev.asyncqueue.benchmarks.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The build's list of resolved jars names each client's jars, with their sizes. */
class ClientJarsTest {

    @Test
    void theApacheClientsJarsAreListedWithTheirSizes() throws Exception {
        List<ClientJars.Jar> apache = ClientJars.resolved().matching(List.of("org.apache.httpcomponents."));

        assertEquals(List.of("httpclient5", "httpcore5", "httpcore5-h2"),
                apache.stream().map(ClientJars.Jar::artifact).sorted().toList());
        assertTrue(apache.stream().allMatch(j -> j.bytes() > 0), apache::toString);
    }

    @Test
    void okHttpBringsKotlinAndOkio() throws Exception {
        Candidate okhttp = Candidate.all().stream().filter(c -> c.name().equals("okhttp")).findFirst().orElseThrow();

        List<String> groups = ClientJars.resolved().matching(okhttp.jarPrefixes()).stream().map(ClientJars.Jar::group).toList();

        assertTrue(groups.contains("org.jetbrains.kotlin") && groups.contains("com.squareup.okio"), groups::toString);
    }
}
