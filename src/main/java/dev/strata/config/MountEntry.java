package dev.strata.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.strata.registry.ImageRef;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One mount the daemon keeps: {@code strata mount IMAGE MOUNTPOINT [--layers] [--allow-other]
 * [--prefetch MODE]} as configuration.
 *
 * @param image an image reference, Docker's rules ({@code alpine}, {@code host:5000/app:1.0})
 * @param mountpoint an absolute directory
 * @param layers one directory per layer (overlayfs lower dirs) instead of the merged tree
 * @param allowOther let other users (a container runtime) see the mount
 * @param prefetch what to fetch in the background once the mount answers
 */
public record MountEntry(
    String image, Path mountpoint, boolean layers, boolean allowOther, Prefetch prefetch) {

  /** What a mount fetches in the background. */
  public enum Prefetch {
    NONE,
    STARTUP,
    ALL;

    public static Prefetch parse(String text) {
      for (Prefetch p : values()) {
        if (p.text().equalsIgnoreCase(text == null ? "" : text.strip())) {
          return p;
        }
      }
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is not a prefetch mode: expected one of "
              + Arrays.stream(values()).map(Prefetch::text).collect(Collectors.joining(", ")));
    }

    public String text() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public MountEntry {
    if (image == null || image.isBlank()) {
      throw new IllegalArgumentException("image: missing (every mount names an image)");
    }
    try {
      ImageRef.parse(image);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("image '" + image + "': " + e.getMessage(), e);
    }
    if (mountpoint == null) {
      throw new IllegalArgumentException("mountpoint: missing (every mount names a directory)");
    }
    if (!mountpoint.isAbsolute()) {
      throw new IllegalArgumentException("mountpoint '" + mountpoint + "' is not absolute");
    }
    Objects.requireNonNull(prefetch, "prefetch");
  }

  @JsonCreator
  static MountEntry fromFile(
      @JsonProperty("image") String image,
      @JsonProperty("mountpoint") @JsonDeserialize(using = Scalars.AbsolutePath.class)
          Path mountpoint,
      @JsonProperty("layers") Boolean layers,
      @JsonProperty("allow_other") Boolean allowOther,
      @JsonProperty("prefetch") @JsonDeserialize(using = Scalars.PrefetchMode.class)
          Prefetch prefetch) {
    return new MountEntry(
        image,
        mountpoint,
        layers != null && layers,
        allowOther != null && allowOther,
        prefetch == null ? Prefetch.NONE : prefetch);
  }
}
