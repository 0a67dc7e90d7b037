package dev.asyncqueue.examples.readme;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Java block of the README is a region of a source in this package, which the build compiles (and
 * {@link ReadmeExamplesTest} runs): a README example cannot stop compiling, or drift from the code that does.
 */
class ReadmeSnippetsTest {
    private static final Path MODULE = Path.of(System.getProperty("basedir", "."));
    private static final Path README = MODULE.resolve("../README.md").normalize();
    private static final Path SOURCES = MODULE.resolve("src/test/java/dev/asyncqueue/examples/readme");

    @Test
    void everyJavaBlockOfTheReadmeIsTheMarkedRegionOfACompiledSource() throws Exception {
        Map<String, String> regions = Snippets.regionsIn(SOURCES);
        List<Snippets.Block> blocks = Snippets.javaBlocks(Files.readString(README));
        assertTrue(blocks.size() >= 6, "the README's java blocks: " + blocks.size());

        for (Snippets.Block block : blocks) {
            assertTrue(block.name() != null, "README line " + block.line()
                    + ": a java block needs <!-- snippet: name --> on the line before it, naming a region in " + SOURCES);
            String region = regions.get(block.name());
            assertTrue(region != null, "README line " + block.line() + ": no region " + block.name() + " in " + SOURCES);
            assertEquals(region, block.text().strip(), "README line " + block.line() + " differs from region "
                    + block.name() + "; paste the region again");
        }
    }

    @Test
    void everyMarkedRegionIsQuotedInTheReadme() throws Exception {
        Set<String> quoted = Snippets.javaBlocks(Files.readString(README)).stream().map(Snippets.Block::name)
                .collect(Collectors.toSet());

        assertEquals(Set.of(), Snippets.regionsIn(SOURCES).keySet().stream().filter(name -> !quoted.contains(name))
                .collect(Collectors.toSet()), "regions no README block quotes");
    }

    @Test
    void regionsOfOneNameAreJoinedByABlankLineEachWithoutItsSharedIndentation() {
        String source = """
                package x;
                // tag::a[]
                import y.Z;
                // end::a[]
                class C {
                    // tag::a[]
                    void m() {
                        call();
                    }
                    // end::a[]
                }
                """;

        assertEquals(Map.of("a", "import y.Z;\n\nvoid m() {\n    call();\n}"), Snippets.regions(source));
        assertThrows(IllegalArgumentException.class, () -> Snippets.regions("// tag::a[]\nx\n"));
        assertThrows(IllegalArgumentException.class, () -> Snippets.regions("// tag::a[]\n// end::b[]\n"));
    }

    @Test
    void aJavaBlockIsReadWithTheNameOfTheMarkerJustBeforeIt() {
        String markdown = "text\n<!-- snippet: one -->\n```java\nint a;\n```\n\n```java\nint b;\n```\n";

        List<Snippets.Block> blocks = Snippets.javaBlocks(markdown);

        assertEquals(List.of(new Snippets.Block("one", "int a;", 4), new Snippets.Block(null, "int b;", 8)), blocks);
        assertFalse(Snippets.javaBlocks("```sh\nls\n```\n").iterator().hasNext(), "only java blocks");
    }
}
