package dev.strata.cli;

import dev.strata.config.ConfigException;
import picocli.CommandLine;

/**
 * Turns a failure into one line on stderr, {@code strata: what failed: why}; the stack trace only
 * with {@code --debug}.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
    boolean debug = parseResult.originalArgs().contains("--debug");
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    commandLine.getErr().println("strata: " + message);
    if (debug) {
      e.printStackTrace(commandLine.getErr());
    }
    commandLine.getErr().flush();
    // a configuration that cannot be used is bad usage, as a bad option is
    return e instanceof IllegalArgumentException || e instanceof ConfigException ? 2 : 1;
  }
}
