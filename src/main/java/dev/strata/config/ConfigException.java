package dev.strata.config;

/**
 * A configuration file that cannot be used: unknown key, bad value, unreadable file. The message is
 * one line naming the file, the position when known, the key and why, e.g. {@code
 * /etc/strata/strata.yaml:7:3: registries.retrys: unknown key (did you mean 'retries'?)}.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
