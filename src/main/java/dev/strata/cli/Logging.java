package dev.strata.cli;

import java.util.List;

/**
 * Sets slf4j-simple's level from {@code --verbose}/{@code --debug} before the first logger is
 * created (slf4j-simple reads its configuration once). Logs go to stderr.
 */
final class Logging {
  private Logging() {}

  static void configure(List<String> args) {
    String level = "warn";
    if (args.contains("--debug")) {
      level = "debug";
    } else if (args.contains("--verbose")) {
      level = "info";
    }
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level);
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
    System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
    System.setProperty("org.slf4j.simpleLogger.log.okhttp3", "warn");
  }

  /**
   * Sets the level from the daemon's configuration. Works only before the first logger is made: the
   * daemon command calls it before anything logs.
   */
  static void setLevel(dev.strata.config.LogLevel level) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level.text());
  }

  static boolean debug(List<String> args) {
    return args.contains("--debug");
  }
}
