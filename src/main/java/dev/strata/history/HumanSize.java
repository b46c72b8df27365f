package dev.strata.history;

import java.util.Locale;

/**
 * Human-readable byte counts in decimal units, the same rule as the CLI's: {@code 93 B}, {@code
 * 31.7 MB}.
 */
public final class HumanSize {
  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

  private HumanSize() {}

  public static String format(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    double value = bytes;
    int unit = 0;
    while (value >= 999.95 && unit < UNITS.length - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }
}
