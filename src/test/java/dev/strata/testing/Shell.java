package dev.strata.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command as a test step (chroot, mount, umoci…): returns its output, stdout and stderr
 * together, and fails the test — showing that output — unless it exits 0 within 5 minutes.
 */
public final class Shell {
  private Shell() {}

  public static String run(String... command) throws IOException, InterruptedException {
    return runIn(null, command);
  }

  /** {@link #run} in the directory {@code cwd} (null: this process's). */
  public static String runIn(Path cwd, String... command) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (cwd != null) {
      builder.directory(cwd.toFile());
    }
    Process p = builder.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
    assertThat(p.exitValue()).as("%s: %s", List.of(command), out).isZero();
    return out;
  }
}
