package dev.asyncqueue.config;

/** A configuration value that cannot be used; the message names the variable. */
public class ConfigurationException extends IllegalArgumentException {
    private final String variable;

    public ConfigurationException(String variable, String message) {
        super(variable + ": " + message);
        this.variable = variable;
    }

    /** The name of the offending variable. */
    public String variable() {
        return variable;
    }
}
