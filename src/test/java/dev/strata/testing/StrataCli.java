package dev.strata.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code daemon/bin/strata} as a process, as users and scripts run it. */
public final class StrataCli {
  /** What a run printed and how it ended. */
  public record Run(int status, String out, String err) {
    public Run requireSuccess() {
      if (status != 0) {
        throw new AssertionError("strata exited " + status + ": " + err + out);
      }
      return this;
    }
  }

  private StrataCli() {}

  public static Run run(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Path launcher = Path.of(System.getProperty("strata.project.dir"), "daemon/bin/strata");
    List<String> command = new ArrayList<>(List.of(launcher.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("STRATA_JAR", System.getProperty("strata.jar"));
    builder.environment().put("DOCKER_CONFIG", "/nonexistent-strata-test-docker-config");
    builder.environment().putAll(env);
    Path out = Files.createTempFile("strata-out", ".txt");
    Path err = Files.createTempFile("strata-err", ".txt");
    try {
      Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("strata " + List.of(args) + " did not finish in 120 s");
      }
      return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  public static Run run(String... args) throws IOException, InterruptedException {
    return run(Map.of(), args);
  }
}
