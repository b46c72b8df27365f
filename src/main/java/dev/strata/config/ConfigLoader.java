package dev.strata.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML into {@link StrataConfig} strictly: unknown keys, duplicate keys, a number where a
 * flag belongs, all fail; and translates Jackson's errors into one line naming the file, the
 * position, the key and what is accepted.
 */
final class ConfigLoader {
  private static final ObjectMapper YAML =
      YAMLMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          // "layers: 1" or "retries: '3'" are mistakes, not values to guess at
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();

  private ConfigLoader() {}

  static StrataConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration " + file + ": " + e, e);
    }
    return parse(text, file.toString());
  }

  static StrataConfig parse(String yaml, String source) {
    try (JsonParser parser = YAML.createParser(yaml)) {
      try {
        return read(parser, source);
      } catch (JsonMappingException e) {
        // Jackson reports where it stopped reading, which for a record (built once all its keys
        // are read) is past the object: find the key itself instead
        throw new ConfigException(describe(source, locate(yaml, e.getPath()), e), e);
      } catch (JsonProcessingException e) {
        throw new ConfigException(
            source + position(e.getLocation()) + ": not valid YAML: " + firstLine(e), e);
      }
    } catch (IOException e) {
      throw new ConfigException(source + ": " + e.getMessage(), e);
    }
  }

  private static StrataConfig read(JsonParser parser, String source) throws IOException {
    JsonToken first = parser.nextToken();
    if (first == null) {
      return StrataConfig.defaults(); // empty, or only comments
    }
    if (first != JsonToken.START_OBJECT) {
      throw new ConfigException(
          source + ": expected keys and values (key: value) at the top of the file");
    }
    return YAML.readValue(parser, StrataConfig.class);
  }

  private static String describe(String source, JsonLocation at, JsonMappingException e) {
    String where = source + position(at) + ": ";
    String key = keyPath(e.getPath());
    String prefix = where + (key.isEmpty() ? "" : key + ": ");
    if (e instanceof UnrecognizedPropertyException unknown) {
      return prefix
          + "unknown key"
          + suggestion(unknown.getPropertyName(), unknown.getKnownPropertyIds());
    }
    if (e instanceof InvalidFormatException
        && e.getCause() == null
        && e.getOriginalMessage() != null
        && e.getOriginalMessage().startsWith("'")) {
      return prefix + e.getOriginalMessage(); // our own parsers' messages
    }
    if (e instanceof ValueInstantiationException && e.getCause() != null) {
      Throwable cause = e.getCause();
      return prefix
          + (cause instanceof NullPointerException
              ? "an empty value (~) where a value is needed"
              : cause.getMessage());
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      return prefix + expected(mismatch.getTargetType());
    }
    return prefix + firstLine(e);
  }

  private static String expected(Class<?> type) {
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
      return "expected a whole number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "expected true or false";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "expected a list (- item, or [a, b])";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "expected keys and values (key: value)";
    }
    if (type == String.class) {
      return "expected text";
    }
    return "expected a value of type " + type.getSimpleName();
  }

  /** Where the key at {@code path} is written, by reading the text again; null if not found. */
  static JsonLocation locate(String yaml, List<JsonMappingException.Reference> path) {
    try (JsonParser p = YAML.createParser(yaml)) {
      p.nextToken();
      JsonLocation found = null;
      for (JsonMappingException.Reference ref : path) {
        if (ref.getFieldName() != null && p.currentToken() == JsonToken.START_OBJECT) {
          found = null;
          while (found == null && p.nextToken() == JsonToken.FIELD_NAME) {
            boolean hit = ref.getFieldName().equals(p.currentName());
            JsonLocation at = p.currentTokenLocation();
            p.nextToken();
            if (hit) {
              found = at;
            } else {
              p.skipChildren();
            }
          }
        } else if (ref.getIndex() >= 0 && p.currentToken() == JsonToken.START_ARRAY) {
          found = null;
          for (int i = 0; i <= ref.getIndex(); i++) {
            JsonToken t = p.nextToken();
            if (t == null || t == JsonToken.END_ARRAY) {
              return null;
            }
            if (i < ref.getIndex()) {
              p.skipChildren();
            }
          }
          found = p.currentTokenLocation();
        } else {
          return found;
        }
        if (found == null) {
          return null;
        }
      }
      return found;
    } catch (IOException e) {
      return null;
    }
  }

  /** {@code registries.mirrors}, {@code mounts[1].image}. */
  static String keyPath(List<JsonMappingException.Reference> path) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : path) {
      if (ref.getFieldName() != null) {
        if (!out.isEmpty()) {
          out.append('.');
        }
        out.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private static String suggestion(String key, Collection<Object> known) {
    List<String> names = known.stream().map(String::valueOf).sorted().toList();
    String nearest = null;
    int best = Integer.MAX_VALUE;
    for (String name : names) {
      int distance = distance(key, name);
      if (distance < best) {
        best = distance;
        nearest = name;
      }
    }
    String valid = " (valid keys here: " + String.join(", ", names) + ")";
    if (nearest != null && best <= Math.max(2, key.length() / 3)) {
      return " (did you mean '" + nearest + "'?)" + valid;
    }
    return valid;
  }

  /** Levenshtein distance, case-insensitive ({@code cacheDir} is near {@code cache_dir}). */
  static int distance(String a, String b) {
    String x = a.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    String y = b.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    int[] previous = new int[y.length() + 1];
    int[] current = new int[y.length() + 1];
    for (int j = 0; j <= y.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= x.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= y.length(); j++) {
        int cost = x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[y.length()];
  }

  private static String position(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return ":" + location.getLineNr() + ":" + location.getColumnNr();
  }

  private static String firstLine(JsonProcessingException e) {
    String message = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
    return message.lines().findFirst().orElse(message).strip();
  }
}
