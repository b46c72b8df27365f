package dev.strata.cli;

import java.util.List;
import picocli.CommandLine;

/** The {@code strata} command line: exit 0 on success, 1 on failure, 2 on bad usage. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs one command line in this JVM (tests call this) and returns the exit status. */
  public static int run(String... args) {
    Logging.configure(List.of(args));
    CommandLine commandLine = new CommandLine(new StrataCommand());
    commandLine.setExecutionExceptionHandler(new ErrorReporter());
    return commandLine.execute(args);
  }
}
