package dev.strata.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a command to its end (output through files, so it never blocks on a full pipe). */
record Command(int status, String out, String err) {
  static Command run(Path dir, Map<String, String> env, List<String> command)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile("strata-ops", ".out");
    Path err = Files.createTempFile("strata-ops", ".err");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      builder.environment().remove("STRATA_JAR"); // an installed launcher finds its own jar
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish in 10 minutes");
      }
      return new Command(process.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  Command requireSuccess() {
    if (status != 0) {
      throw new AssertionError("exit " + status + ": " + err + out);
    }
    return this;
  }

  /** The project checkout (set by the build). */
  static Path projectDir() {
    return Path.of(System.getProperty("strata.project.dir"));
  }

  /** Rewrites a unit's /opt/strata/ and /etc/strata/ paths to lie under {@code root}. */
  static String rebase(String unit, String optStrata, String etcStrata) {
    return unit.replace("/opt/strata/", optStrata).replace("/etc/strata/", etcStrata);
  }
}
