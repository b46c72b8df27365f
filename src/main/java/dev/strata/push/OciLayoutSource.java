package dev.strata.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.registry.Descriptor;
import dev.strata.registry.Digest;
import dev.strata.registry.ManifestDocument;
import dev.strata.registry.UnsupportedManifestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OCI image layout directory ({@code oci-layout}, {@code index.json}, {@code blobs/}). The image
 * is the {@code index.json} entry whose {@code org.opencontainers.image.ref.name} is the tag, or
 * the only entry when no tag is given; an image index is pushed with all its images.
 */
public final class OciLayoutSource implements ImageSource {
  static final String REF_NAME = "org.opencontainers.image.ref.name";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final String tag;

  public OciLayoutSource(Path dir, String tag) {
    this.dir = dir;
    this.tag = tag;
  }

  @Override
  public PushPlan plan() throws IOException {
    if (!Files.isRegularFile(dir.resolve("oci-layout"))) {
      throw new IOException(dir + " is not an OCI image layout (no oci-layout file)");
    }
    JsonNode index = JSON.readTree(dir.resolve("index.json").toFile());
    List<JsonNode> entries = new ArrayList<>();
    index.path("manifests").forEach(entries::add);
    JsonNode chosen = choose(entries);
    Map<Digest, PushPlan.Blob> blobs = new LinkedHashMap<>();
    List<PushPlan.Manifest> manifests = new ArrayList<>();
    addManifest(
        Digest.parse(chosen.path("digest").asText()),
        chosen.path("size").asLong(),
        blobs,
        manifests);
    return new PushPlan(List.copyOf(blobs.values()), manifests);
  }

  private JsonNode choose(List<JsonNode> entries) throws IOException {
    if (tag.isEmpty()) {
      if (entries.size() == 1) {
        return entries.getFirst();
      }
      throw new IOException(
          dir
              + " holds "
              + entries.size()
              + " images; name one as oci:DIR:TAG (tags: "
              + tags(entries)
              + ")");
    }
    for (JsonNode entry : entries) {
      if (tag.equals(entry.path("annotations").path(REF_NAME).asText())) {
        return entry;
      }
    }
    throw new IOException(
        "no image tagged '" + tag + "' in " + dir + " (tags: " + tags(entries) + ")");
  }

  private static String tags(List<JsonNode> entries) {
    List<String> tags = new ArrayList<>();
    for (JsonNode entry : entries) {
      tags.add(entry.path("annotations").path(REF_NAME).asText("<untagged>"));
    }
    return String.join(", ", tags);
  }

  private void addManifest(
      Digest digest, long size, Map<Digest, PushPlan.Blob> blobs, List<PushPlan.Manifest> manifests)
      throws IOException {
    FileRegion file = blobFile(digest, size);
    byte[] body = Files.readAllBytes(file.file());
    if (!Digest.sha256(body).equals(digest)) {
      throw new IOException(
          "manifest blob " + digest + " in " + dir + " does not match its digest");
    }
    ManifestDocument document =
        ManifestDocument.parse(body, null, "manifest " + digest + " in " + dir);
    switch (document) {
      case ManifestDocument.Index idx -> {
        for (Descriptor child : idx.manifests()) {
          addManifest(child.digest(), child.size(), blobs, manifests);
        }
      }
      case ManifestDocument.Image image -> {
        addBlob(image.config(), blobs);
        for (Descriptor layer : image.layers()) {
          addBlob(layer, blobs);
        }
      }
    }
    manifests.add(new PushPlan.Manifest(document.mediaType(), body));
  }

  private void addBlob(Descriptor descriptor, Map<Digest, PushPlan.Blob> blobs) throws IOException {
    if (!blobs.containsKey(descriptor.digest())) {
      FileRegion file = blobFile(descriptor.digest(), descriptor.size());
      blobs.put(
          descriptor.digest(), new PushPlan.Blob(descriptor.digest(), descriptor.size(), file));
    }
  }

  private FileRegion blobFile(Digest digest, long size) throws IOException {
    Path file = dir.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    if (!Files.isRegularFile(file)) {
      throw new UnsupportedManifestException("blob " + digest + " is missing from " + dir);
    }
    long actual = Files.size(file);
    if (actual != size) {
      throw new IOException(
          "blob "
              + digest
              + " in "
              + dir
              + " has "
              + actual
              + " bytes; its descriptor says "
              + size);
    }
    return new FileRegion(file, 0, size);
  }
}
