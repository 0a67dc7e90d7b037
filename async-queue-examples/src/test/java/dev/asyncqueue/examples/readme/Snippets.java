package dev.asyncqueue.examples.readme;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads what the README quotes and where it quotes it from. A source marks a region with
 * {@code // tag::name[]} and {@code // end::name[]}; regions of one name are joined by a blank line, each without
 * the indentation its lines share. The README puts {@code <!-- snippet: name -->} on the line before a java block.
 */
final class Snippets {
    private static final Pattern TAG = Pattern.compile("^\\s*// (tag|end)::([a-z0-9-]+)\\[]\\s*$");
    private static final Pattern MARKER = Pattern.compile("^<!-- snippet: ([a-z0-9-]+) -->$");

    /** A java block of the README: the name its marker gives (null when it has none), its text, its first line. */
    record Block(String name, String text, int line) {
    }

    private Snippets() {
    }

    /** Every {@code ```java} block of {@code markdown}. */
    static List<Block> javaBlocks(String markdown) {
        List<String> lines = markdown.lines().toList();
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).trim().equals("```java")) continue;
            Matcher marker = i > 0 ? MARKER.matcher(lines.get(i - 1).trim()) : null;
            String name = marker != null && marker.matches() ? marker.group(1) : null;
            int start = i + 1;
            int end = start;
            while (end < lines.size() && !lines.get(end).trim().equals("```")) end++;
            blocks.add(new Block(name, String.join("\n", lines.subList(start, end)), start + 1));
            i = end;
        }
        return blocks;
    }

    /** The regions marked in {@code source}, by name. */
    static Map<String, String> regions(String source) {
        Map<String, List<List<String>>> parts = new LinkedHashMap<>();
        List<String> open = null;
        String openName = null;
        for (String line : source.lines().toList()) {
            Matcher tag = TAG.matcher(line);
            if (tag.matches()) {
                if (tag.group(1).equals("tag")) {
                    if (open != null) throw new IllegalArgumentException("region " + tag.group(2) + " opens inside " + openName);
                    openName = tag.group(2);
                    open = new ArrayList<>();
                } else {
                    if (!tag.group(2).equals(openName)) {
                        throw new IllegalArgumentException("end of " + tag.group(2) + " without its tag");
                    }
                    parts.computeIfAbsent(openName, n -> new ArrayList<>()).add(open);
                    open = null;
                    openName = null;
                }
            } else if (open != null) {
                open.add(line);
            }
        }
        if (open != null) throw new IllegalArgumentException("region " + openName + " is never ended");
        Map<String, String> regions = new LinkedHashMap<>();
        parts.forEach((name, pieces) -> regions.put(name,
                String.join("\n\n", pieces.stream().map(Snippets::dedented).toList())));
        return regions;
    }

    /**
     * The regions of every example in {@code directory} (its tests, which may hold markers as data, are left out),
     * by name; a name used in two files is refused.
     */
    static Map<String, String> regionsIn(Path directory) {
        Map<String, String> all = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && !f.toString().endsWith("Test.java")).sorted().toList()) {
                regions(Files.readString(file)).forEach((name, text) -> {
                    if (all.put(name, text) != null) throw new IllegalArgumentException("region " + name + " twice");
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }

    private static String dedented(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String line : lines) out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
        return String.join("\n", out).strip();
    }
}
