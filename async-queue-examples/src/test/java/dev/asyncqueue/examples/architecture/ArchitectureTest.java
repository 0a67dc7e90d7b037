package dev.asyncqueue.examples.architecture;

import dev.asyncqueue.AsyncQueue;
import dev.asyncqueue.examples.QueueWorkerApp;
import dev.asyncqueue.limiter.LimiterRegistry;
import dev.asyncqueue.nats.JetStreamQueue;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of docs/ARCHITECTURE.md, checked on the compiled classes: modules depend downward only
 * (examples -> nats -> api, examples -> limiter -> api), the api module names no NATS type, and no two
 * packages depend on each other through any path.
 */
class ArchitectureTest {
    private static final ClassReferences API = ClassReferences.ofModuleOf(AsyncQueue.class);
    private static final ClassReferences LIMITER = ClassReferences.ofModuleOf(LimiterRegistry.class);
    private static final ClassReferences NATS = ClassReferences.ofModuleOf(JetStreamQueue.class);
    private static final ClassReferences EXAMPLES = ClassReferences.ofModuleOf(QueueWorkerApp.class);

    @Test
    void theApiModuleNamesNoNatsType() {
        assertEquals(List.of(), API.referencesTo("io/nats/"));
    }

    @Test
    void theApiModuleNamesNoClassOfTheModulesAboveIt() {
        assertEquals(List.of(), API.referencesTo("dev/asyncqueue/nats/"));
        assertEquals(List.of(), API.referencesTo("dev/asyncqueue/limiter/"));
        assertEquals(List.of(), API.referencesTo("dev/asyncqueue/examples/"));
    }

    @Test
    void inTheApiModuleOnlyTheMetricsBindingAndObservationTracingNameMicrometer() {
        // Micrometer is optional there: the engine must load and run without it on the class path.
        List<String> others = API.referencesTo("io/micrometer/").stream()
                .filter(ref -> !ref.startsWith("dev/asyncqueue/metrics/"))
                .filter(ref -> !ref.startsWith("dev/asyncqueue/tracing/ObservationTracing"))
                .toList();
        assertEquals(List.of(), others);
        assertFalse(API.referencesTo("io/micrometer/observation/").isEmpty(), "the reader sees ObservationTracing's use");
    }

    @Test
    void theLimiterAndNatsModulesDoNotSeeEachOther() {
        assertEquals(List.of(), LIMITER.referencesTo("dev/asyncqueue/nats/"));
        assertEquals(List.of(), LIMITER.referencesTo("io/nats/"));
        assertEquals(List.of(), NATS.referencesTo("dev/asyncqueue/limiter/"));
    }

    @Test
    void noLibraryModuleSeesTheExamples() {
        assertEquals(List.of(), LIMITER.referencesTo("dev/asyncqueue/examples/"));
        assertEquals(List.of(), NATS.referencesTo("dev/asyncqueue/examples/"));
    }

    @Test
    void noPackageCycleAcrossAllModules() {
        Map<String, Set<String>> graph = new TreeMap<>();
        for (ClassReferences module : List.of(API, LIMITER, NATS, EXAMPLES)) {
            module.packageGraph("dev.asyncqueue").forEach((from, to) ->
                    graph.computeIfAbsent(from, p -> new TreeSet<>()).addAll(to));
        }
        assertTrue(graph.size() > 10, "the graph covers the project's packages: " + graph.keySet());
        assertEquals(List.of(), cycles(graph), "packages that reach each other");
    }

    @Test
    void theReaderSeesTheReferencesThatAreThere() {
        assertFalse(NATS.referencesTo("io/nats/client/Connection").isEmpty(), "nats module uses jnats");
        assertFalse(EXAMPLES.referencesTo("dev/asyncqueue/limiter/").isEmpty(), "the app uses the limiter module");
        assertTrue(API.packageGraph("dev.asyncqueue").getOrDefault("dev.asyncqueue.status", Set.of())
                .contains("dev.asyncqueue.worker"), "the status recorder listens to the worker");
    }

    @Test
    void theCycleFinderReportsACycle() {
        Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        List<Set<String>> found = cycles(graph);
        assertEquals(List.of(Set.of("a", "b", "c")), found);
        assertFalse(cycles(Map.of("a", Set.of("b"), "b", Set.of())).iterator().hasNext());
    }

    /** Strongly connected components of more than one package (Tarjan's algorithm). */
    private static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> found = new ArrayList<>();
        int[] counter = {0};
        for (String node : new TreeSet<>(graph.keySet())) {
            if (!index.containsKey(node)) connect(node, graph, index, low, stack, onStack, found, counter);
        }
        return found;
    }

    private static void connect(String node, Map<String, Set<String>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, Set<String> onStack,
                                List<Set<String>> found, int[] counter) {
        index.put(node, counter[0]);
        low.put(node, counter[0]++);
        stack.push(node);
        onStack.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (!index.containsKey(next)) {
                connect(next, graph, index, low, stack, onStack, found, counter);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(node));
            if (component.size() > 1) found.add(component);
        }
    }
}
