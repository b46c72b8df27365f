package dev.strata.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How much the daemon logs, as slf4j-simple names its levels. */
public enum LogLevel {
  ERROR,
  WARN,
  INFO,
  DEBUG,
  TRACE;

  /** The level named {@code text} (any case). */
  public static LogLevel parse(String text) {
    for (LogLevel level : values()) {
      if (level.text().equalsIgnoreCase(text == null ? "" : text.strip())) {
        return level;
      }
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a log level: expected one of " + names());
  }

  /** The level as written in a configuration file: {@code info}. */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  static String names() {
    return Arrays.stream(values()).map(LogLevel::text).collect(Collectors.joining(", "));
  }
}
