package dev.strata.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as a configuration file writes them: a plain number of bytes ({@code 10737418240}) or
 * a number and a unit, binary ({@code KiB MiB GiB TiB}, also {@code K M G T}) or decimal ({@code kB
 * MB GB TB}); {@code 1.5GiB} and {@code 512 MiB} work. Every size must be above 0.
 */
public final class ByteSize {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-z]*)", Pattern.CASE_INSENSITIVE);

  private static final Map<String, Long> UNITS =
      Map.ofEntries(
          Map.entry("", 1L),
          Map.entry("b", 1L),
          Map.entry("k", 1L << 10),
          Map.entry("kib", 1L << 10),
          Map.entry("m", 1L << 20),
          Map.entry("mib", 1L << 20),
          Map.entry("g", 1L << 30),
          Map.entry("gib", 1L << 30),
          Map.entry("t", 1L << 40),
          Map.entry("tib", 1L << 40),
          Map.entry("kb", 1000L),
          Map.entry("mb", 1000L * 1000),
          Map.entry("gb", 1000L * 1000 * 1000),
          Map.entry("tb", 1000L * 1000 * 1000 * 1000));

  private ByteSize() {}

  /**
   * The bytes {@code text} names.
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  public static long parse(String text) {
    Matcher m = SIZE.matcher(text == null ? "" : text.strip());
    Long unit = m.matches() ? UNITS.get(m.group(2).toLowerCase(Locale.ROOT)) : null;
    if (unit == null) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a size: expected bytes (10737418240) or a number and a unit"
              + " (512MiB, 10GiB, 1.5GB)");
    }
    BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit));
    if (bytes.signum() <= 0) {
      throw new IllegalArgumentException("'" + text + "': a size must be above 0");
    }
    try {
      return bytes.setScale(0, java.math.RoundingMode.CEILING).longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is too large", e);
    }
  }
}
