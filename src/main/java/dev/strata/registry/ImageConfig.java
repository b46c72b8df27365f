package dev.strata.registry;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The parts of an image config strata uses: the platform and {@code rootfs.diff_ids}. */
public record ImageConfig(Platform platform, List<Digest> diffIds) {
  public ImageConfig {
    diffIds = List.copyOf(diffIds);
  }

  public static ImageConfig parse(byte[] body, String what) throws UnsupportedManifestException {
    JsonNode root;
    try {
      root = ManifestDocument.JSON.readTree(body);
    } catch (IOException e) {
      throw new UnsupportedManifestException(what + ": image config is not valid JSON");
    }
    JsonNode ids = root == null ? null : root.path("rootfs").path("diff_ids");
    if (ids == null || !ids.isArray()) {
      throw new UnsupportedManifestException(what + ": image config has no rootfs.diff_ids");
    }
    List<Digest> diffIds = new ArrayList<>();
    try {
      for (JsonNode id : ids) {
        diffIds.add(Digest.parse(id.asText()));
      }
    } catch (IllegalArgumentException e) {
      throw new UnsupportedManifestException(
          what + ": bad diff ID in image config: " + e.getMessage());
    }
    Platform platform =
        new Platform(
            root.path("os").asText("linux"),
            root.path("architecture").asText("unknown"),
            root.path("variant").asText(""));
    return new ImageConfig(platform, diffIds);
  }
}
