package dev.strata.daemon;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.config.MountEntry;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A {@link MountEntry} as JSON, with the configuration file's key names: the body of {@code POST
 * /mounts}, an element of {@code GET /mounts} and of {@code <state>/mounts.json}.
 *
 * @param state in {@code GET /mounts} only: {@code mounted}, {@code mounting}, {@code failed: why}
 * @param source in {@code GET /mounts} only: {@code config} or {@code cli}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record MountJson(
    @JsonProperty("image") String image,
    @JsonProperty("mountpoint") String mountpoint,
    @JsonProperty("layers") Boolean layers,
    @JsonProperty("allow_other") Boolean allowOther,
    @JsonProperty("prefetch") String prefetch,
    @JsonProperty("source") String source,
    @JsonProperty("state") String state) {
  /** Unknown fields are refused, as in the configuration file. */
  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  static MountJson of(MountEntry e) {
    return new MountJson(
        e.image(),
        e.mountpoint().toString(),
        e.layers(),
        e.allowOther(),
        e.prefetch().text(),
        null,
        null);
  }

  MountJson with(String source, String state) {
    return new MountJson(image, mountpoint, layers, allowOther, prefetch, source, state);
  }

  /**
   * The entry this describes.
   *
   * @throws IllegalArgumentException naming what is wrong (a 400 for {@code POST /mounts})
   */
  MountEntry entry() {
    if (mountpoint == null) {
      throw new IllegalArgumentException("mountpoint: missing (every mount names a directory)");
    }
    return new MountEntry(
        image,
        Path.of(mountpoint).normalize(),
        layers != null && layers,
        allowOther != null && allowOther,
        prefetch == null ? MountEntry.Prefetch.NONE : MountEntry.Prefetch.parse(prefetch));
  }

  /** Parses a request body; a malformed one is an {@link IllegalArgumentException}. */
  static MountJson parse(byte[] body) {
    try {
      return JSON.readValue(body, MountJson.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("the body is not a mount: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("the body is not a mount: " + e.getMessage(), e);
    }
  }

  byte[] toBytes() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
