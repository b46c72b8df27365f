package dev.strata.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/**
 * Byte counts on the command line: {@code 1048576}, {@code 512M}, {@code 50G}, {@code 2TiB}. The
 * suffixes K, M, G and T are binary (KiB, MiB, ...), with or without "iB"/"B".
 */
final class ByteSizeConverter implements ITypeConverter<Long> {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)(?:I?B)?");

  @Override
  public Long convert(String value) {
    Matcher m = SIZE.matcher(value.trim().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + value + "' is not a byte count (e.g. 1048576, 512M, 50G)");
    }
    int shift =
        switch (m.group(2)) {
          case "K" -> 10;
          case "M" -> 20;
          case "G" -> 30;
          case "T" -> 40;
          default -> 0;
        };
    long number = Long.parseLong(m.group(1));
    if (number > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("'" + value + "' is too large");
    }
    return number << shift;
  }
}
