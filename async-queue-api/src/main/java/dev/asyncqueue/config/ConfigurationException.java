package dev.asyncqueue.config;

/** A configuration value that cannot be used; the message names the variable. */
public class ConfigurationException extends IllegalArgumentException {
    /** The offending variable's name. */
    private final String variable;

    /** {@code variable} cannot be used, for the reason {@code message} tells. */
    public ConfigurationException(String variable, String message) {
        super(variable + ": " + message);
        this.variable = variable;
    }

    /** The name of the offending variable. */
    public String variable() {
        return variable;
    }
}
