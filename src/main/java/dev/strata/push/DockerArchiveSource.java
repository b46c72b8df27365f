package dev.strata.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.registry.Digest;
import dev.strata.registry.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * A {@code docker save} tar: {@code manifest.json} names the config and layer files inside the tar.
 * Layers are pushed as they are stored (uncompressed tar, or gzip/zstd when the archive holds
 * compressed blobs) straight from their place in the archive, under an OCI manifest built here.
 *
 * <p>The selector picks an image when the archive holds several: {@code @N} (0-based) or a {@code
 * RepoTags} entry such as {@code app:1.0}.
 */
public final class DockerArchiveSource implements ImageSource {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path archive;
  private final String selector;

  public DockerArchiveSource(Path archive, String selector) {
    this.archive = archive;
    this.selector = selector;
  }

  @Override
  public PushPlan plan() throws IOException {
    Map<String, FileRegion> members = new HashMap<>();
    Map<String, String> links = new HashMap<>();
    try (TarFile tar = new TarFile(archive)) {
      for (TarArchiveEntry entry : tar.getEntries()) {
        String name = normalize(entry.getName());
        if (entry.isSymbolicLink() || entry.isLink()) {
          links.put(name, resolveLink(name, entry.getLinkName(), entry.isSymbolicLink()));
        } else if (entry.isFile()) {
          members.put(name, new FileRegion(archive, entry.getDataOffset(), entry.getSize()));
        }
      }
    } catch (IOException e) {
      throw new IOException(archive + " is not a readable tar: " + e.getMessage(), e);
    }
    FileRegion manifestFile = member("manifest.json", members, links);
    JsonNode images;
    try (InputStream in = manifestFile.open(0, manifestFile.size())) {
      images = JSON.readTree(in);
    }
    JsonNode image = choose(images);

    FileRegion configFile = member(image.path("Config").asText(), members, links);
    byte[] config;
    try (InputStream in = configFile.open(0, configFile.size())) {
      config = in.readAllBytes();
    }
    Digest configDigest = Digest.sha256(config);
    Map<Digest, PushPlan.Blob> blobs = new LinkedHashMap<>();
    blobs.put(configDigest, new PushPlan.Blob(configDigest, config.length, configFile));

    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
    ObjectNode configDescriptor = manifest.putObject("config");
    configDescriptor.put("mediaType", MediaTypes.OCI_CONFIG);
    configDescriptor.put("digest", configDigest.toString());
    configDescriptor.put("size", config.length);
    ArrayNode layers = manifest.putArray("layers");
    for (JsonNode layerName : image.path("Layers")) {
      FileRegion layer = member(layerName.asText(), members, links);
      Digest digest = layer.sha256();
      ObjectNode descriptor = layers.addObject();
      descriptor.put("mediaType", layerMediaType(layer.head(4)));
      descriptor.put("digest", digest.toString());
      descriptor.put("size", layer.size());
      blobs.putIfAbsent(digest, new PushPlan.Blob(digest, layer.size(), layer));
    }
    byte[] body = JSON.writeValueAsBytes(manifest);
    return new PushPlan(
        List.copyOf(blobs.values()), List.of(new PushPlan.Manifest(MediaTypes.OCI_MANIFEST, body)));
  }

  private JsonNode choose(JsonNode images) throws IOException {
    if (!images.isArray() || images.isEmpty()) {
      throw new IOException(archive + ": manifest.json lists no image");
    }
    if (selector.isEmpty()) {
      if (images.size() == 1) {
        return images.get(0);
      }
      throw new IOException(
          archive
              + " holds "
              + images.size()
              + " images; pick one as docker-archive:PATH:@N or :REPO:TAG");
    }
    if (selector.startsWith("@")) {
      int n;
      try {
        n = Integer.parseInt(selector.substring(1));
      } catch (NumberFormatException e) {
        throw new IOException("bad image selector '" + selector + "': expected @N");
      }
      if (n < 0 || n >= images.size()) {
        throw new IOException(
            archive + " has no image @" + n + " (it holds " + images.size() + ")");
      }
      return images.get(n);
    }
    List<String> all = new ArrayList<>();
    for (JsonNode image : images) {
      for (JsonNode tag : image.path("RepoTags")) {
        all.add(tag.asText());
        if (tag.asText().equals(selector) || tag.asText().endsWith("/" + selector)) {
          return image;
        }
      }
    }
    throw new IOException(
        "no image tagged '" + selector + "' in " + archive + " (tags: " + all + ")");
  }

  /** Gzip and zstd layers are recognized by their magic numbers; anything else is a plain tar. */
  static String layerMediaType(byte[] head) {
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return MediaTypes.OCI_LAYER_GZIP;
    }
    if (head.length >= 4
        && (head[0] & 0xff) == 0x28
        && (head[1] & 0xff) == 0xb5
        && (head[2] & 0xff) == 0x2f
        && (head[3] & 0xff) == 0xfd) {
      return MediaTypes.OCI_LAYER_ZSTD;
    }
    return MediaTypes.OCI_LAYER;
  }

  private FileRegion member(String name, Map<String, FileRegion> members, Map<String, String> links)
      throws IOException {
    String current = normalize(name);
    for (int hops = 0; hops < 16; hops++) {
      FileRegion region = members.get(current);
      if (region != null) {
        return region;
      }
      String target = links.get(current);
      if (target == null) {
        break;
      }
      current = target;
    }
    throw new IOException(archive + " has no file '" + name + "' (named in manifest.json)");
  }

  private static String normalize(String name) {
    String n = name.startsWith("./") ? name.substring(2) : name;
    return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
  }

  /** docker save links duplicate layers to earlier ones, relative to the link's directory. */
  private static String resolveLink(String name, String target, boolean symbolic) {
    if (!symbolic) {
      return normalize(target);
    }
    Path base = Path.of(name).getParent();
    Path resolved = (base == null ? Path.of(target) : base.resolve(target)).normalize();
    return resolved.toString();
  }
}
