package dev.strata.daemon;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.strata.config.MountEntry;
import dev.strata.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Mounts added through the CLI ({@code strata mount} while a daemon runs), remembered across
 * restarts in {@code <state>/mounts.json}: a JSON array of mounts with the configuration file's key
 * names, written atomically. Mounts from the configuration file are not in it.
 */
final class RememberedMounts {
  private final Path file;

  RememberedMounts(Path stateDir) {
    this.file = stateDir.resolve("mounts.json");
  }

  Path file() {
    return file;
  }

  /**
   * The remembered mounts; none when the file does not exist.
   *
   * @throws IOException naming the file when it cannot be read or is not a list of mounts
   */
  List<MountEntry> load() throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      List<MountJson> stored =
          MountJson.JSON.readValue(file.toFile(), new TypeReference<List<MountJson>>() {});
      List<MountEntry> entries = new ArrayList<>();
      for (MountJson m : stored) {
        entries.add(m.entry());
      }
      return entries;
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException(file + ": not a list of mounts: " + e.getMessage(), e);
    }
  }

  synchronized void save(List<MountEntry> entries) throws IOException {
    List<MountJson> json = entries.stream().map(MountJson::of).toList();
    AtomicFiles.write(
        file, MountJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
  }
}
