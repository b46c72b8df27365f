package dev.strata.index;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Normalizes tar entry names to root-relative paths and rejects those that could escape the root. A
 * leading {@code /} and {@code ./} are dropped (tar writes both); {@code .} components vanish; a
 * {@code ..} that would climb above the root, a NUL byte, or an empty name is hostile.
 */
public final class EntryPaths {
  private EntryPaths() {}

  /**
   * The normalized path, or throws {@link IllegalArgumentException} saying why the name is
   * rejected.
   */
  public static String normalize(String raw) {
    if (raw == null || raw.isEmpty()) {
      throw new IllegalArgumentException("empty entry name");
    }
    if (raw.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("entry name contains a NUL byte");
    }
    Deque<String> parts = new ArrayDeque<>();
    for (String part : raw.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (parts.isEmpty()) {
          throw new IllegalArgumentException("entry name '" + raw + "' escapes the root");
        }
        parts.removeLast();
        continue;
      }
      parts.addLast(part);
    }
    return String.join("/", parts);
  }

  /**
   * A hardlink target: stored as a path inside the image (tar writes it like an entry name); an
   * absolute target is taken relative to the root, as tar extracts it, but one that climbs out is
   * hostile.
   */
  public static String normalizeHardlinkTarget(String raw) {
    String normalized = normalize(raw);
    if (normalized.isEmpty()) {
      throw new IllegalArgumentException("hardlink to the root directory");
    }
    return normalized;
  }
}
