package dev.strata.fuse;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Unmounts through the system's programs: {@code fusermount3}, {@code fusermount} (libfuse 2) or
 * plain {@code umount}, whichever is installed and succeeds first.
 */
final class Unmounter {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> SEARCH_PATH = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");

  private Unmounter() {}

  /**
   * Unmounts the filesystem at {@code mountPoint}. A {@code lazy} unmount detaches it even while
   * files on it are open or its server is dead ({@code -z} / {@code umount -l}); a clean one fails
   * when the mount is busy.
   */
  static void unmount(Path mountPoint, boolean lazy) throws IOException {
    String mp = mountPoint.toString();
    List<List<String>> attempts =
        lazy
            ? List.of(
                List.of("fusermount3", "-u", "-z", mp),
                List.of("fusermount", "-u", "-z", mp),
                List.of("umount", "-l", mp))
            : List.of(
                List.of("fusermount3", "-u", mp),
                List.of("fusermount", "-u", mp),
                List.of("umount", mp));
    List<String> failures = new ArrayList<>();
    for (List<String> attempt : attempts) {
      Optional<Path> program = find(attempt.getFirst());
      if (program.isEmpty()) {
        continue;
      }
      List<String> command = new ArrayList<>(attempt);
      command.set(0, program.get().toString());
      String failure = run(command);
      if (failure == null) {
        return;
      }
      failures.add(failure);
      if (failure.contains("busy")) {
        break; // conclusive: another program would say the same
      }
    }
    if (failures.isEmpty()) {
      throw new IOException(
          "cannot unmount " + mp + ": none of fusermount3, fusermount, umount is installed");
    }
    throw new IOException("cannot unmount " + mp + ": " + String.join("; ", failures));
  }

  /** Runs {@code command}; returns null on success, else what went wrong. */
  private static String run(List<String> command) throws IOException {
    File output = File.createTempFile("strata-unmount", ".out");
    try {
      Process p =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(output)
              .start();
      boolean exited;
      try {
        exited = p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while running " + String.join(" ", command), e);
      }
      if (!exited) {
        p.destroyForcibly();
        return String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT;
      }
      if (p.exitValue() == 0) {
        return null;
      }
      String text = Files.readString(output.toPath(), StandardCharsets.UTF_8).strip();
      return String.join(" ", command)
          + " exited with "
          + p.exitValue()
          + (text.isEmpty() ? "" : ": " + text);
    } finally {
      Files.deleteIfExists(output.toPath());
    }
  }

  static Optional<Path> find(String program) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        if (!d.isEmpty()) {
          dirs.add(d);
        }
      }
    }
    dirs.addAll(SEARCH_PATH);
    for (String d : dirs) {
      Path candidate = Path.of(d, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
