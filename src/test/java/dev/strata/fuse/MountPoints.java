package dev.strata.fuse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Mount points for one test class under a fresh directory in /tmp, and the safety net that detaches
 * whatever a failed test left mounted there before the directory is removed.
 */
final class MountPoints implements AutoCloseable {
  private final Path root;
  private int next;

  MountPoints(String prefix) {
    try {
      root = Files.createTempDirectory(Path.of("/tmp"), prefix).toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path root() {
    return root;
  }

  synchronized Path next(String name) {
    try {
      return Files.createDirectory(root.resolve(name + "-" + next++));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The mounts at or below the root, as the kernel lists them. */
  List<MountTable.Entry> mountsBelow() throws IOException {
    return MountTable.read().stream().filter(e -> e.mountPoint().startsWith(root)).toList();
  }

  /** Detaches leftovers (lazily, innermost first), then deletes the directory tree. */
  @Override
  public void close() throws IOException {
    List<MountTable.Entry> left = mountsBelow();
    for (MountTable.Entry e : left.reversed()) {
      try {
        Unmounter.unmount(e.mountPoint(), true);
      } catch (IOException ex) {
        // keep going: the assertion below reports it
      }
    }
    if (!mountsBelow().isEmpty()) {
      throw new IOException("mounts left below " + root + ": " + mountsBelow());
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
    if (!left.isEmpty()) {
      throw new AssertionError("a test left mounts behind (now detached): " + left);
    }
  }
}
