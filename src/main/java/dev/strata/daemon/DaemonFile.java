package dev.strata.daemon;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How the CLI finds a running daemon: {@code <state>/daemon.json} holds its pid and the address its
 * admin server answers on (loopback, the real port), written once it listens and removed when it
 * exits. A file left by a crashed daemon names a pid that is gone (or another program) and is
 * ignored.
 *
 * @param admin {@code HOST:PORT} to send control requests to
 */
public record DaemonFile(@JsonProperty("pid") long pid, @JsonProperty("admin") String admin) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Path pathIn(Path stateDir) {
    return stateDir.resolve("daemon.json");
  }

  void write(Path stateDir) throws IOException {
    AtomicFiles.write(pathIn(stateDir), JSON.writeValueAsBytes(this));
  }

  /** Removes the file if it is still this process's. */
  static void remove(Path stateDir, long pid) {
    try {
      Optional<DaemonFile> current = read(stateDir);
      if (current.isPresent() && current.get().pid() == pid) {
        Files.deleteIfExists(pathIn(stateDir));
      }
    } catch (IOException e) {
      // best effort: a file naming a dead pid is ignored anyway
    }
  }

  /** The running daemon of {@code stateDir}, if its file names a live java process. */
  public static Optional<DaemonFile> running(Path stateDir) {
    Optional<DaemonFile> file;
    try {
      file = read(stateDir);
    } catch (IOException e) {
      return Optional.empty();
    }
    return file.filter(
        f ->
            ProcessHandle.of(f.pid())
                .filter(ProcessHandle::isAlive)
                .flatMap(p -> p.info().command())
                .filter(command -> command.endsWith("java"))
                .isPresent());
  }

  private static Optional<DaemonFile> read(Path stateDir) throws IOException {
    Path file = pathIn(stateDir);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), DaemonFile.class));
    } catch (IOException e) {
      return Optional.empty(); // half-written by hand or damaged: as if absent
    }
  }
}
