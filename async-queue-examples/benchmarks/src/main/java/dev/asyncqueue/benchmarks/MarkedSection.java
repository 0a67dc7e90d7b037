package dev.asyncqueue.benchmarks;

import java.util.Optional;

/**
 * The HTTP client comparison's section inside {@code BENCHMARKS.md}, between two HTML comments, so the
 * comparison ({@code bin/benchmark http}) and the pipeline benchmark can each rewrite the file without
 * erasing the other's part.
 */
public final class MarkedSection {
    /** Opens the section. */
    public static final String BEGIN = "<!-- begin: bin/benchmark http (do not edit by hand) -->";
    /** Closes the section. */
    public static final String END = "<!-- end: bin/benchmark http -->";
    private static final String MACHINE_HEADING = "\n## Machine and versions";

    private MarkedSection() {
    }

    /** The marked section of {@code text}, markers included. */
    public static Optional<String> find(String text) {
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END, Math.max(begin, 0));
        if (begin < 0 || end < 0) return Optional.empty();
        return Optional.of(text.substring(begin, end + END.length()));
    }

    /**
     * {@code text} with its marked section holding {@code body}. A text without one gets it before its
     * "Machine and versions" heading, or at the end.
     */
    public static String replace(String text, String body) {
        String section = BEGIN + "\n" + body.strip() + "\n" + END;
        Optional<String> old = find(text);
        if (old.isPresent()) return text.replace(old.get(), section);
        int machine = text.indexOf(MACHINE_HEADING);
        if (machine >= 0) return text.substring(0, machine + 1) + section + "\n\n" + text.substring(machine + 1);
        return text.stripTrailing() + (text.isBlank() ? "" : "\n\n") + section + "\n";
    }

    /** {@code regenerated} with the marked section {@code previous} had, when it had one. */
    public static String carryOver(String previous, String regenerated) {
        return find(previous).map(section -> {
            String body = section.substring(BEGIN.length(), section.length() - END.length());
            return replace(regenerated, body);
        }).orElse(regenerated);
    }
}
