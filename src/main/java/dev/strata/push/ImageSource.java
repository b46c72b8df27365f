package dev.strata.push;

import java.io.IOException;
import java.nio.file.Path;

/** A local image to push: {@code docker-archive:PATH} or {@code oci:DIR[:TAG]}. */
public interface ImageSource {
  /** Reads the source and says what to upload; hashes what it must to name the blobs. */
  PushPlan plan() throws IOException;

  /** Parses a source the way skopeo names them. */
  static ImageSource parse(String spec) {
    if (spec.startsWith("docker-archive:")) {
      String rest = spec.substring("docker-archive:".length());
      String selector = "";
      int colon = rest.indexOf(':');
      if (colon >= 0) {
        selector = rest.substring(colon + 1);
        rest = rest.substring(0, colon);
      }
      requireNonEmpty(spec, rest);
      return new DockerArchiveSource(Path.of(rest), selector);
    }
    if (spec.startsWith("oci:")) {
      String rest = spec.substring("oci:".length());
      String tag = "";
      int colon = rest.lastIndexOf(':');
      if (colon >= 0 && rest.indexOf('/', colon) < 0) {
        tag = rest.substring(colon + 1);
        rest = rest.substring(0, colon);
      }
      requireNonEmpty(spec, rest);
      return new OciLayoutSource(Path.of(rest), tag);
    }
    throw new IllegalArgumentException(
        "unknown image source '" + spec + "': expected docker-archive:PATH or oci:DIR[:TAG]");
  }

  private static void requireNonEmpty(String spec, String path) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException("image source '" + spec + "' names no path");
    }
  }
}
