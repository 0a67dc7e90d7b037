package dev.asyncqueue.examples.monitoring;

import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL a Grafana dashboard JSON runs: every panel target's {@code expr} (rows' nested panels
 * included) and every query variable's {@code label_values(selector, label)}, with Grafana's template
 * variables replaced by the values a test gives.
 */
record Dashboard(List<Query> panelQueries, List<VariableQuery> variableQueries) {
    /** {@code $name}, {@code ${name}}, {@code ${name:format}} and {@code [[name]]}, the forms Grafana expands. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)|\\[\\[(\\w+)]]");
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.+),\\s*(\\w+)\\s*\\)\\s*$");

    /** One target of one panel. */
    record Query(String panel, String refId, String expr) {
    }

    /** A query variable: the series selector it reads and the label whose values it offers. */
    record VariableQuery(String variable, String selector, String label) {
    }

    static Dashboard read(Path json) throws IOException {
        JsonValue root = JsonParser.parse(Files.readString(json));
        List<Query> queries = new ArrayList<>();
        collect(root.map.get("panels"), queries);
        List<VariableQuery> variables = new ArrayList<>();
        JsonValue templating = root.map.get("templating");
        for (JsonValue variable : templating == null ? List.<JsonValue>of() : templating.map.get("list").array) {
            if (!"query".equals(text(variable, "type"))) continue;
            JsonValue query = variable.map.get("query");
            String text = query.map != null ? text(query, "query") : query.string;
            Matcher m = LABEL_VALUES.matcher(text);
            if (!m.matches()) throw new AssertionError("variable " + text(variable, "name") + ": not label_values(...): " + text);
            variables.add(new VariableQuery(text(variable, "name"), m.group(1), m.group(2)));
        }
        return new Dashboard(List.copyOf(queries), List.copyOf(variables));
    }

    private static void collect(JsonValue panels, List<Query> into) {
        if (panels == null || panels.array == null) return;
        for (JsonValue panel : panels.array) {
            JsonValue targets = panel.map.get("targets");
            if (targets != null) {
                for (JsonValue target : targets.array) {
                    into.add(new Query(text(panel, "title"), text(target, "refId"), text(target, "expr")));
                }
            }
            collect(panel.map.get("panels"), into);
        }
    }

    private static String text(JsonValue object, String key) {
        JsonValue value = object.map.get(key);
        return value == null ? null : value.string;
    }

    /** {@code expr} with each template variable replaced; a variable {@code values} lacks fails, naming it. */
    static String substitute(String expr, Map<String, String> values) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = values.get(name);
            if (value == null) throw new AssertionError("no test value for Grafana variable $" + name + " in " + expr);
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
