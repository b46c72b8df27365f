package dev.strata.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's table of mounts as this process sees it ({@code /proc/self/mountinfo}), and the
 * programs that unmount FUSE filesystems.
 */
final class MountTable {
  static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  private MountTable() {}

  /**
   * One line of {@code /proc/self/mountinfo}.
   *
   * @param device the {@code major:minor} of the mounted filesystem
   * @param mountOptions per-mount options ({@code ro,nosuid,nodev,...})
   * @param superOptions per-superblock options ({@code user_id=0,default_permissions,...})
   */
  record Entry(
      int id,
      String device,
      Path mountPoint,
      String mountOptions,
      String fsType,
      String source,
      String superOptions) {
    boolean isFuse() {
      return fsType.equals("fuse") || fsType.startsWith("fuse.") || fsType.equals("fuseblk");
    }

    /** The FUSE connection number ({@code /sys/fs/fuse/connections/N}): the device's minor. */
    long connection() {
      int colon = device.indexOf(':');
      long major = Long.parseLong(device.substring(0, colon));
      long minor = Long.parseLong(device.substring(colon + 1));
      // the kernel's dev_t encoding, as fusectl names its directories
      return (major << 20) | minor;
    }
  }

  static List<Entry> read() throws IOException {
    return parse(Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8));
  }

  /** The mounts stacked at exactly {@code mountPoint}, the topmost last. */
  static List<Entry> at(Path mountPoint) throws IOException {
    List<Entry> result = new ArrayList<>();
    for (Entry e : read()) {
      if (e.mountPoint().equals(mountPoint)) {
        result.add(e);
      }
    }
    return result;
  }

  /** The topmost mount at exactly {@code mountPoint}, if any. */
  static Optional<Entry> top(Path mountPoint) throws IOException {
    List<Entry> all = at(mountPoint);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast());
  }

  static List<Entry> parse(List<String> lines) {
    List<Entry> entries = new ArrayList<>(lines.size());
    for (String line : lines) {
      Entry e = parseLine(line);
      if (e != null) {
        entries.add(e);
      }
    }
    return entries;
  }

  /**
   * Parses {@code 36 35 98:0 /root /mnt ro,nosuid master:1 - fuse.strata strata:img ro,user_id=0};
   * returns null for a line that does not have that shape.
   */
  static Entry parseLine(String line) {
    String[] f = line.split(" ");
    int dash = -1;
    for (int i = 6; i < f.length; i++) {
      if (f[i].equals("-")) {
        dash = i;
        break;
      }
    }
    if (dash < 0 || dash + 2 >= f.length) {
      return null;
    }
    try {
      return new Entry(
          Integer.parseInt(f[0]),
          f[2],
          Path.of(unescape(f[4])),
          f[5],
          unescape(f[dash + 1]),
          unescape(f[dash + 2]),
          dash + 3 < f.length ? unescape(f[dash + 3]) : "");
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Undoes the kernel's octal escapes of space, tab, newline and backslash ({@code \040}). */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    // the escapes stand for bytes; collect bytes and decode once so UTF-8 names survive
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[raw.length];
    int n = 0;
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == '\\' && isOctal(raw, i + 1)) {
        out[n++] = (byte) ((raw[i + 1] - '0') * 64 + (raw[i + 2] - '0') * 8 + (raw[i + 3] - '0'));
        i += 3;
      } else {
        out[n++] = raw[i];
      }
    }
    return new String(out, 0, n, StandardCharsets.UTF_8);
  }

  private static boolean isOctal(byte[] raw, int from) {
    if (from + 3 > raw.length) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (raw[i] < '0' || raw[i] > '7') {
        return false;
      }
    }
    return true;
  }
}
