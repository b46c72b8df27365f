package dev.strata.history;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where strata keeps its indexes and {@code history.db}: the directory given ({@code --state-dir}),
 * else {@code /var/lib/strata} for root (uid 0), else {@code $XDG_DATA_HOME/strata}, else {@code
 * ~/.local/share/strata}.
 */
public final class StateDirs {
  /** The state directory of root. */
  public static final Path SYSTEM = Path.of("/var/lib/strata");

  private StateDirs() {}

  /** The state directory for this process; {@code explicit} (may be null) wins when given. */
  public static Path resolve(Path explicit) {
    if (explicit != null) {
      return explicit;
    }
    return resolve(null, isRoot(), System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /**
   * The state directory for a process of the given kind: {@code explicit} when not null, {@link
   * #SYSTEM} for root, {@code $XDG_DATA_HOME/strata} when that is set to an absolute path (the XDG
   * spec says to ignore relative ones), else {@code home/.local/share/strata}.
   */
  public static Path resolve(Path explicit, boolean root, Map<String, String> env, Path home) {
    if (explicit != null) {
      return explicit;
    }
    if (root) {
      return SYSTEM;
    }
    String xdg = env.get("XDG_DATA_HOME");
    if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "strata");
    }
    return home.resolve(".local/share/strata");
  }

  /** Whether this process runs with effective uid 0 (read from {@code /proc/self/status}). */
  public static boolean isRoot() {
    try {
      List<String> status =
          Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8);
      for (String line : status) {
        if (line.startsWith("Uid:")) {
          // Uid: real effective saved filesystem
          String[] ids = line.substring("Uid:".length()).trim().split("\\s+");
          return ids.length > 1 && ids[1].equals("0");
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or /proc not mounted: fall back to the user name
    }
    return "root".equals(System.getProperty("user.name"));
  }
}
