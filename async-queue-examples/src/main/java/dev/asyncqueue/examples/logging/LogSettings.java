package dev.asyncqueue.examples.logging;

import org.slf4j.event.Level;

import java.util.Locale;
import java.util.Map;

/**
 * How the example apps log: {@code log_encoding} ({@code console} or {@code json}) and the level
 * ({@code debug=true} gives DEBUG; else the system property {@code org.slf4j.simpleLogger.defaultLogLevel}
 * when set, the property slf4j-simple reads too; else INFO). Read by the logging provider as the first logger
 * is made, before {@code AppConfig} exists, so a value {@code AppConfig} would refuse falls back to the default
 * here; {@code AppConfig} documents both variables and stops start-up on a bad one.
 *
 * @param json      one JSON object per line instead of readable text
 * @param threshold the least severe level written
 */
public record LogSettings(boolean json, Level threshold) {

    /** From the process environment and system properties. */
    public static LogSettings fromEnvironment() {
        return from(System.getenv(), System.getProperty("org.slf4j.simpleLogger.defaultLogLevel"));
    }

    static LogSettings from(Map<String, String> env, String levelProperty) {
        boolean json = "json".equalsIgnoreCase(env.getOrDefault("log_encoding", "console").trim());
        Level level = Level.INFO;
        if (levelProperty != null && !levelProperty.isBlank()) {
            try {
                level = Level.valueOf(levelProperty.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // An unknown level name keeps the default; configuration errors belong to AppConfig.
            }
        }
        if ("true".equalsIgnoreCase(env.getOrDefault("debug", "false").trim())) level = Level.DEBUG;
        return new LogSettings(json, level);
    }

    /** These settings writing nothing less severe than {@code level}. */
    public LogSettings atLeast(Level level) {
        return level.toInt() > threshold.toInt() ? new LogSettings(json, level) : this;
    }

    /** Whether {@code level} is written. */
    public boolean enabled(Level level) {
        return level.toInt() >= threshold.toInt();
    }
}
