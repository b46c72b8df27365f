package dev.strata.cli;

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
    return e instanceof IllegalArgumentException ? 2 : 1;
  }
}
