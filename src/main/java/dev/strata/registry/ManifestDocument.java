package dev.strata.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed manifest: either an index of per-platform manifests or one image manifest. */
public sealed interface ManifestDocument {
  ObjectMapper JSON = new ObjectMapper();

  String mediaType();

  /** An OCI image index or a Docker manifest list. */
  record Index(String mediaType, List<Descriptor> manifests) implements ManifestDocument {
    public Index {
      manifests = List.copyOf(manifests);
    }
  }

  /** An OCI image manifest or a Docker v2 schema 2 manifest. */
  record Image(String mediaType, Descriptor config, List<Descriptor> layers)
      implements ManifestDocument {
    public Image {
      layers = List.copyOf(layers);
    }
  }

  /**
   * Parses manifest bytes. The media type comes from the document itself when it names one, else
   * from the {@code Content-Type} the registry sent, else from its shape.
   *
   * @param what names the manifest in error messages
   */
  static ManifestDocument parse(byte[] body, String contentType, String what)
      throws UnsupportedManifestException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (IOException e) {
      throw new UnsupportedManifestException(what + ": manifest is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new UnsupportedManifestException(what + ": manifest is not a JSON object");
    }
    if (root.path("schemaVersion").asInt() == 1
        || MediaTypes.DOCKER_SCHEMA1.equals(contentType)
        || MediaTypes.DOCKER_SCHEMA1_SIGNED.equals(contentType)) {
      throw new UnsupportedManifestException(
          what
              + ": Docker image manifest schema 1 is deprecated and not supported;"
              + " re-push the image with a current client (schema 2 or OCI)");
    }
    String mediaType = root.path("mediaType").asText("");
    if (mediaType.isEmpty()) {
      mediaType = contentType == null ? "" : contentType.split(";")[0].strip();
    }
    if (!MediaTypes.INDEXES.contains(mediaType)
        && !MediaTypes.IMAGE_MANIFESTS.contains(mediaType)) {
      mediaType =
          root.has("manifests")
              ? MediaTypes.OCI_INDEX
              : root.has("config") && root.has("layers") ? MediaTypes.OCI_MANIFEST : mediaType;
    }
    try {
      if (MediaTypes.INDEXES.contains(mediaType)) {
        return new Index(mediaType, descriptors(root.path("manifests")));
      }
      if (MediaTypes.IMAGE_MANIFESTS.contains(mediaType)) {
        return new Image(
            mediaType, descriptor(root.path("config")), descriptors(root.path("layers")));
      }
    } catch (IllegalArgumentException e) {
      throw new UnsupportedManifestException(what + ": " + e.getMessage());
    }
    throw new UnsupportedManifestException(
        what + ": unsupported manifest media type '" + mediaType + "'");
  }

  private static List<Descriptor> descriptors(JsonNode array) {
    if (!array.isArray()) {
      throw new IllegalArgumentException("expected an array of descriptors");
    }
    List<Descriptor> out = new ArrayList<>();
    for (JsonNode node : array) {
      out.add(descriptor(node));
    }
    return out;
  }

  private static Descriptor descriptor(JsonNode node) {
    if (!node.isObject()
        || !node.path("digest").isTextual()
        || !node.path("size").canConvertToLong()) {
      throw new IllegalArgumentException("descriptor without digest or size: " + node);
    }
    Platform platform = null;
    JsonNode p = node.path("platform");
    if (p.isObject()) {
      platform =
          new Platform(
              p.path("os").asText(""),
              p.path("architecture").asText(""),
              p.path("variant").asText(""));
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    node.path("annotations")
        .properties()
        .forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
    return new Descriptor(
        node.path("mediaType").asText(""),
        Digest.parse(node.path("digest").asText()),
        node.path("size").asLong(),
        platform,
        annotations);
  }
}
