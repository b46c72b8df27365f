package dev.strata.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs short-lived external commands (openssl, htpasswd, skopeo) for the test infrastructure.
 *
 * <p>Output is captured through temporary files so a chatty command can never block on a full pipe.
 * A command that outlives its timeout is killed (with its descendants) and reported as a failure.
 */
final class Exec {
  private Exec() {}

  /** What a finished command left behind. */
  record Result(List<String> command, int exitCode, String stdout, String stderr) {
    /** Returns this result if the exit code is 0, else throws with the command and its stderr. */
    Result checkSuccess() {
      if (exitCode != 0) {
        throw new IllegalStateException(
            "command failed with exit code "
                + exitCode
                + ": "
                + String.join(" ", command)
                + "\n--- stderr ---\n"
                + stderr
                + "\n--- stdout ---\n"
                + stdout);
      }
      return this;
    }
  }

  /** Runs {@code command} with no standard input and waits at most {@code timeout}. */
  static Result run(Duration timeout, List<String> command) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("strata-exec", ".out");
      err = Files.createTempFile("strata-exec", ".err");
      ProcessBuilder pb =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile());
      Process process = pb.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        throw new IllegalStateException(
            "command timed out after "
                + timeout
                + ": "
                + String.join(" ", command)
                + "\n--- stderr ---\n"
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Result(
          List.copyOf(command),
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static void deleteQuietly(Path p) {
    if (p == null) {
      return;
    }
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // best effort: a leftover temp file is harmless
    }
  }
}
