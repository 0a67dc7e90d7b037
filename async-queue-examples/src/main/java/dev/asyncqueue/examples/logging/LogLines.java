package dev.asyncqueue.examples.logging;

import io.nats.client.support.Encoding;
import org.slf4j.event.KeyValuePair;
import org.slf4j.event.Level;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders one log event as a line: readable text, or a JSON object with {@code time}, {@code level},
 * {@code logger}, {@code thread}, {@code msg}, the event's key-value pairs (e.g. {@code call_id},
 * {@code function}, {@code attempt}, {@code status}), the MDC and {@code error}. Credentials that slip
 * into a message or value (URL user info, {@code password=}, {@code token=}, bearer tokens) are masked.
 */
final class LogLines {
    private static final Pattern URL_USER_INFO = Pattern.compile("(?i)([a-z][a-z0-9+.-]*://)[^/@\\s]+@");
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "(?i)((?:password|passwd|pass|token|secret|api[_-]?key|auth|signature|sig|credentials?)=)[^&\\s,;\"]+");
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[a-z0-9._~+/=-]+");

    private LogLines() {
    }

    /** Masks credentials in free text. */
    static String redact(String text) {
        if (text == null) return "";
        String out = URL_USER_INFO.matcher(text).replaceAll("$1****@");
        out = SECRET_PARAM.matcher(out).replaceAll("$1****");
        return BEARER.matcher(out).replaceAll("$1****");
    }

    static String json(Instant time, Level level, String logger, String thread, String message,
                       List<KeyValuePair> pairs, Map<String, String> mdc, Throwable error) {
        StringBuilder sb = new StringBuilder(256).append('{');
        field(sb, "time", time.toString());
        field(sb, "level", level.name());
        field(sb, "logger", logger);
        field(sb, "thread", thread);
        field(sb, "msg", redact(message));
        if (mdc != null) mdc.forEach((k, v) -> field(sb, k, redact(v)));
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                if (pair.value instanceof Number || pair.value instanceof Boolean) {
                    sb.append(',').append('"');
                    Encoding.jsonEncode(sb, pair.key);
                    sb.append("\":").append(pair.value);
                } else {
                    field(sb, pair.key, redact(String.valueOf(pair.value)));
                }
            }
        }
        if (error != null) field(sb, "error", redact(stackTrace(error)));
        return sb.append('}').toString();
    }

    static String console(Instant time, Level level, String logger, String thread, String message,
                          List<KeyValuePair> pairs, Throwable error) {
        StringBuilder sb = new StringBuilder(128).append(time).append(" [").append(thread).append("] ").append(level.name())
                .append(' ').append(logger).append(" - ").append(redact(message));
        if (pairs != null) {
            for (KeyValuePair pair : pairs) {
                sb.append(' ').append(pair.key).append('=').append(redact(String.valueOf(pair.value)));
            }
        }
        if (error != null) sb.append(System.lineSeparator()).append(redact(stackTrace(error)).stripTrailing());
        return sb.toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        if (sb.length() > 1) sb.append(',');
        sb.append('"');
        Encoding.jsonEncode(sb, name);
        sb.append("\":\"");
        Encoding.jsonEncode(sb, value == null ? "" : value);
        sb.append('"');
    }

    private static String stackTrace(Throwable error) {
        StringWriter w = new StringWriter();
        error.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
