package dev.strata.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jackson deserializers of the configuration's scalar values. They parse while the parser still
 * points at the value, so an error carries the value's line and column and its key path; the
 * message of the {@link IllegalArgumentException} a parser throws says what is accepted.
 */
final class Scalars {
  private Scalars() {}

  /** Parses one scalar (text or number) with {@code parser}; {@code ""} reads as absent. */
  abstract static class Parsing<T> extends JsonDeserializer<T> {
    private final Class<T> type;
    private final Function<String, T> parser;

    Parsing(Class<T> type, Function<String, T> parser) {
      this.type = type;
      this.parser = parser;
    }

    @Override
    public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (!p.currentToken().isScalarValue()) {
        throw InvalidFormatException.from(p, "expected a single value", null, type);
      }
      String text = p.getValueAsString();
      if (text == null || text.isBlank()) {
        return null;
      }
      try {
        return parser.apply(text);
      } catch (IllegalArgumentException e) {
        throw InvalidFormatException.from(p, e.getMessage(), text, type);
      }
    }
  }

  static final class Size extends Parsing<Long> {
    Size() {
      super(Long.class, ByteSize::parse);
    }
  }

  static final class Address extends Parsing<HostPort> {
    Address() {
      super(HostPort.class, HostPort::parse);
    }
  }

  static final class Level extends Parsing<LogLevel> {
    Level() {
      super(LogLevel.class, LogLevel::parse);
    }
  }

  static final class PrefetchMode extends Parsing<MountEntry.Prefetch> {
    PrefetchMode() {
      super(MountEntry.Prefetch.class, MountEntry.Prefetch::parse);
    }
  }

  static final class Deadline extends Parsing<Duration> {
    Deadline() {
      super(Duration.class, Scalars::duration);
    }
  }

  static final class AbsolutePath extends Parsing<Path> {
    AbsolutePath() {
      super(Path.class, Scalars::absolutePath);
    }
  }

  static final class RegistryHost extends Parsing<String> {
    RegistryHost() {
      super(String.class, Scalars::registryHost);
    }
  }

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

  /** {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}; above 0. */
  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration: expected a number and ms, s, m or h (500ms, 2s)");
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
    if (d.isZero()) {
      throw new IllegalArgumentException("'" + text + "': a duration must be above 0");
    }
    return d;
  }

  static Path absolutePath(String text) {
    String expanded = text.strip();
    if (expanded.equals("~") || expanded.startsWith("~/")) {
      expanded = System.getProperty("user.home") + expanded.substring(1);
    }
    Path path = Path.of(expanded);
    if (!path.isAbsolute()) {
      throw new IllegalArgumentException("'" + text + "' is not an absolute path");
    }
    return path.normalize();
  }

  private static final Pattern HOST =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:\\d{1,5})?");

  /** A registry as image references name it: {@code HOST[:PORT]}. */
  static String registryHost(String text) {
    String host = text.strip();
    if (!HOST.matcher(host).matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a registry: expected HOST[:PORT], e.g. registry.local:5000");
    }
    return host;
  }
}
