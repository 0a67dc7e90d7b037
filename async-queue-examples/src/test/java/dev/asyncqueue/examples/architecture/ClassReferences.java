package dev.asyncqueue.examples.architecture;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The classes one module compiled to, and the classes each of them names, read from the class files'
 * constant pools: every class, field and method reference and every type in a signature passes through
 * a UTF-8 constant there, so what a class can reach at run time is visible without loading it.
 */
final class ClassReferences {
    private static final Pattern TYPE_NAME = Pattern.compile("(?:^|L|\\[)((?:[a-z_][a-z0-9_]*/)+[A-Za-z_$][\\w$]*)");

    /** Internal class name (a/b/C) to the internal names of the classes it refers to. */
    private final Map<String, Set<String>> references;

    private ClassReferences(Map<String, Set<String>> references) {
        this.references = references;
    }

    /** Reads every class file of the module (directory or jar) that {@code member} was loaded from. */
    static ClassReferences ofModuleOf(Class<?> member) {
        Path location;
        try {
            location = Path.of(member.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + member, e);
        }
        Map<String, Set<String>> references = new TreeMap<>();
        try {
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location)) {
                    for (Path file : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                        try (InputStream in = Files.newInputStream(file)) {
                            read(in, references);
                        }
                    }
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        JarEntry entry = entries.nextElement();
                        if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                read(in, references);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the classes at " + location, e);
        }
        if (references.isEmpty()) throw new IllegalStateException("no class files at " + location);
        return new ClassReferences(references);
    }

    /** The module's classes, by internal name. */
    Set<String> classes() {
        return references.keySet();
    }

    /** Each reference from one of the module's classes to a class whose internal name starts with {@code prefix}. */
    List<String> referencesTo(String prefix) {
        List<String> found = new ArrayList<>();
        references.forEach((from, targets) -> targets.stream().filter(t -> t.startsWith(prefix))
                .forEach(t -> found.add(from + " -> " + t)));
        return found;
    }

    /** Package (dotted) to the other packages under {@code root} that its classes refer to. */
    Map<String, Set<String>> packageGraph(String root) {
        Map<String, Set<String>> graph = new TreeMap<>();
        references.forEach((from, targets) -> {
            String fromPackage = packageOf(from);
            Set<String> edges = graph.computeIfAbsent(fromPackage, p -> new TreeSet<>());
            for (String target : targets) {
                String toPackage = packageOf(target);
                if (toPackage.startsWith(root) && !toPackage.equals(fromPackage)) edges.add(toPackage);
            }
        });
        return graph;
    }

    static String packageOf(String internalName) {
        int slash = internalName.lastIndexOf('/');
        return slash < 0 ? "" : internalName.substring(0, slash).replace('/', '.');
    }

    private static void read(InputStream raw, Map<String, Set<String>> references) throws IOException {
        DataInputStream in = new DataInputStream(raw);
        if (in.readInt() != 0xCAFEBABE) throw new IOException("not a class file");
        in.readUnsignedShort();
        in.readUnsignedShort();
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8, 16, 19, 20 -> in.readUnsignedShort();
                case 15 -> {
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
                case 5, 6 -> {
                    in.readLong();
                    i++; // eight-byte constants take two pool slots
                }
                default -> throw new IOException("unknown constant pool tag " + tag);
            }
        }
        in.readUnsignedShort();
        String self = utf8[classNameIndex[in.readUnsignedShort()]];
        Set<String> targets = new TreeSet<>();
        for (String value : utf8) {
            if (value == null) continue;
            Matcher m = TYPE_NAME.matcher(value);
            while (m.find()) {
                String name = m.group(1);
                int nested = name.indexOf('$');
                targets.add(nested < 0 ? name : name.substring(0, nested));
            }
        }
        targets.remove(self);
        references.put(self, targets);
    }
}
