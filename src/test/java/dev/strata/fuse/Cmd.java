package dev.strata.fuse;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program (coreutils, getfattr, dd) against a mount and captures what it says. */
final class Cmd {
  private Cmd() {}

  record Result(List<String> command, int exit, String out, String err) {
    Result ok() {
      if (exit != 0) {
        throw new AssertionError(
            String.join(" ", command) + " exited with " + exit + ": " + err + out);
      }
      return this;
    }
  }

  static Result run(String... command) {
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile("strata-fuse-cmd", ".out");
      err = Files.createTempFile("strata-fuse-cmd", ".err");
      Process p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + String.join(" ", command));
      }
      return new Result(
          List.of(command),
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      try {
        if (out != null) {
          Files.deleteIfExists(out);
        }
        if (err != null) {
          Files.deleteIfExists(err);
        }
      } catch (IOException e) {
        // best effort
      }
    }
  }

  static boolean installed(String program) {
    return Unmounter.find(program).isPresent();
  }
}
