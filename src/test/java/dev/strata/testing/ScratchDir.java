package dev.strata.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A temporary directory for tests that leave FIFOs, device nodes and mounts in it, which JUnit's
 * {@code @TempDir} cleanup cannot handle (it opens files to reset permissions, and opening a FIFO
 * blocks). {@link #close()} lazily unmounts whatever is mounted below it, then removes it with
 * {@code rm -rf --one-file-system}.
 */
public final class ScratchDir implements AutoCloseable {
  private final Path path;

  private ScratchDir(Path path) {
    this.path = path;
  }

  public static ScratchDir create(String prefix) {
    try {
      return new ScratchDir(Files.createTempDirectory(prefix).toRealPath());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path path() {
    return path;
  }

  public Path resolve(String name) {
    return path.resolve(name);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    List<String> mounts = Files.readAllLines(Path.of("/proc/mounts"));
    for (int i = mounts.size() - 1; i >= 0; i--) {
      String point = mounts.get(i).split(" ")[1];
      if (point.startsWith(path.toString())) {
        new ProcessBuilder("umount", "-l", point).inheritIO().start().waitFor();
      }
    }
    new ProcessBuilder("rm", "-rf", "--one-file-system", path.toString())
        .inheritIO()
        .start()
        .waitFor();
  }
}
