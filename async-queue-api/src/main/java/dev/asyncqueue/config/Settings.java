package dev.asyncqueue.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Named string settings (environment variables, usually) with typed, validated readers.
 * Every reader fails with a {@link ConfigurationException} naming the variable.
 */
public final class Settings {

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
    private static final Pattern SECRET_NAME =
            Pattern.compile(".*(pass|token|secret|seed|credential|key|nkey|jwt).*", Pattern.CASE_INSENSITIVE);
    /** The user-info part of a URL ({@code nats://user:password@host}), which carries credentials. */
    private static final Pattern URL_USER_INFO = Pattern.compile("(?<=://)[^/@\\s]+@");

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    /** Settings from a map; blank values count as absent. */
    public static Settings of(Map<String, String> values) {
        Map<String, String> kept = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (k != null && v != null && !v.isBlank()) kept.put(k, v.trim());
        });
        return new Settings(kept);
    }

    /** Settings from the process environment. */
    public static Settings fromEnvironment() {
        return of(System.getenv());
    }

    /** No settings: every reader returns its default. */
    public static Settings empty() {
        return new Settings(Map.of());
    }

    /** These settings with {@code overrides} taking precedence. */
    public Settings with(Map<String, String> overrides) {
        Map<String, String> merged = new LinkedHashMap<>(values);
        merged.putAll(of(overrides).values);
        return new Settings(merged);
    }

    /** The raw value, if set. */
    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The first of several names that is set (e.g. {@code queue_name} then {@code nats_stream}). */
    public Optional<String> first(String... names) {
        return Arrays.stream(names).map(values::get).filter(v -> v != null).findFirst();
    }

    /** The value as it is, or {@code defaultValue} when unset. */
    public String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    /** A whole number within {@code [min, max]}, or {@code defaultValue} when unset. */
    public int integer(String name, int defaultValue, int min, int max) {
        String raw = values.get(name);
        if (raw == null) return defaultValue;
        int value;
        try {
            value = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name, "expected a whole number, got '" + raw + "'");
        }
        if (value < min || value > max) {
            throw new ConfigurationException(name, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /** A whole number within {@code [min, max]}, or {@code defaultValue} when unset. */
    public long longValue(String name, long defaultValue, long min, long max) {
        String raw = values.get(name);
        if (raw == null) return defaultValue;
        long value;
        try {
            value = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new ConfigurationException(name, "expected a whole number, got '" + raw + "'");
        }
        if (value < min || value > max) {
            throw new ConfigurationException(name, "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /** {@code true}/{@code false} (also {@code 1}/{@code 0}, {@code yes}/{@code no}, {@code on}/{@code off}), or {@code defaultValue} when unset. */
    public boolean bool(String name, boolean defaultValue) {
        String raw = values.get(name);
        if (raw == null) return defaultValue;
        switch (raw.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on":
                return true;
            case "false", "0", "no", "off":
                return false;
            default:
                throw new ConfigurationException(name, "expected true or false, got '" + raw + "'");
        }
    }

    /** A duration in Go's notation ({@code 500ms}, {@code 30s}, {@code 1m30s}, {@code 2h}); a bare number is seconds. */
    public Duration duration(String name, Duration defaultValue) {
        String raw = values.get(name);
        return raw == null ? defaultValue : parseDuration(name, raw);
    }

    /** A comma-separated set of integers, e.g. {@code 408,429,500}. */
    public Set<Integer> integerSet(String name, Set<Integer> defaultValue, int min, int max) {
        String raw = values.get(name);
        if (raw == null) return defaultValue;
        Set<Integer> result = new TreeSet<>();
        for (String part : raw.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            try {
                int v = Integer.parseInt(p);
                if (v < min || v > max) {
                    throw new ConfigurationException(name, p + " is outside " + min + ".." + max);
                }
                result.add(v);
            } catch (NumberFormatException e) {
                throw new ConfigurationException(name, "expected comma-separated whole numbers, got '" + raw + "'");
            }
        }
        return Set.copyOf(result);
    }

    /** One of the allowed words, compared case-insensitively, returned in lower case. */
    public String choice(String name, String defaultValue, String... allowed) {
        String raw = values.get(name);
        if (raw == null) return defaultValue;
        String lower = raw.toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(lower)) return a;
        }
        throw new ConfigurationException(name, "expected one of " + String.join(", ", allowed) + ", got '" + raw + "'");
    }

    /** Parses Go's duration notation; {@code variable} names the setting in the error. */
    public static Duration parseDuration(String variable, String raw) {
        String text = raw.trim();
        if (text.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(text));
        }
        Matcher m = DURATION_PART.matcher(text);
        long nanos = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) break;
            end = m.end();
            double amount = Double.parseDouble(m.group(1));
            double unitNanos = switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            nanos += (long) (amount * unitNanos);
        }
        if (end == 0 || end != text.length()) {
            throw new ConfigurationException(variable, "expected a duration like 500ms, 30s, 1m or 1h30m, got '" + raw + "'");
        }
        return Duration.ofNanos(nanos);
    }

    /** Lists the settings with secret-looking values, and credentials inside URLs, masked. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((k, v) -> shown.put(k, SECRET_NAME.matcher(k).matches() ? "****"
                : URL_USER_INFO.matcher(v).replaceAll("****@")));
        return "Settings" + shown;
    }
}
