package dev.strata.mount;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.io.AtomicFiles;
import dev.strata.registry.Digest;
import dev.strata.registry.ImageManifest;
import dev.strata.registry.ImageRef;
import dev.strata.registry.LayerDescriptor;
import dev.strata.registry.Platform;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last manifest each image reference resolved to, per platform, so that a node whose registry
 * is unreachable can still mount by tag what it has cached: {@code <state>/manifests/<sha256 of
 * "reference platform">.json}, written atomically.
 *
 * <p>What is kept is the resolved {@link ImageManifest} (digests, layers, diff IDs), not the raw
 * manifest: the layers' indexes are keyed by layer digest and their spans are verified against the
 * index, so nothing served from it is trusted beyond what the index store already holds.
 */
public final class ResolvedManifests {
  private static final Logger log = LoggerFactory.getLogger(ResolvedManifests.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One remembered resolution. */
  public record Entry(ImageManifest manifest, Instant resolvedAt) {}

  record Layer(
      @JsonProperty("media_type") String mediaType,
      @JsonProperty("digest") String digest,
      @JsonProperty("size") long size,
      @JsonProperty("diff_id") String diffId) {}

  record Stored(
      @JsonProperty("reference") String reference,
      @JsonProperty("platform_asked") String platformAsked,
      @JsonProperty("resolved_at") String resolvedAt,
      @JsonProperty("pinned") String pinned,
      @JsonProperty("index_digest") String indexDigest,
      @JsonProperty("manifest_digest") String manifestDigest,
      @JsonProperty("media_type") String mediaType,
      @JsonProperty("platform") String platform,
      @JsonProperty("config_digest") String configDigest,
      @JsonProperty("layers") List<Layer> layers) {}

  private final Path root;

  public ResolvedManifests(Path stateDir) {
    this.root = stateDir.resolve("manifests");
  }

  /** Remembers what {@code ref} resolved to for {@code platform}. Best effort: logs a failure. */
  public void remember(ImageRef ref, Platform platform, ImageManifest m, Instant when) {
    List<Layer> layers =
        m.layers().stream()
            .map(
                l ->
                    new Layer(
                        l.mediaType(), l.digest().toString(), l.size(), l.diffId().toString()))
            .toList();
    Stored stored =
        new Stored(
            ref.toString(),
            platform.toString(),
            when.toString(),
            m.ref().toString(),
            m.indexDigest() == null ? null : m.indexDigest().toString(),
            m.manifestDigest().toString(),
            m.mediaType(),
            m.platform().toString(),
            m.configDigest().toString(),
            layers);
    try {
      AtomicFiles.write(fileOf(ref, platform), JSON.writeValueAsBytes(stored));
    } catch (IOException e) {
      log.warn("cannot remember the manifest of {}: {}", ref, e.getMessage());
    }
  }

  /**
   * What {@code ref} last resolved to for {@code platform}, if it was remembered and is readable.
   */
  public Optional<Entry> find(ImageRef ref, Platform platform) {
    Path file = fileOf(ref, platform);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Stored s = JSON.readValue(file.toFile(), Stored.class);
      List<LayerDescriptor> layers = new java.util.ArrayList<>();
      for (Layer l : s.layers()) {
        layers.add(
            new LayerDescriptor(
                layers.size(),
                l.mediaType(),
                Digest.parse(l.digest()),
                l.size(),
                Digest.parse(l.diffId())));
      }
      ImageManifest manifest =
          new ImageManifest(
              ImageRef.parse(s.pinned()),
              s.indexDigest() == null ? null : Digest.parse(s.indexDigest()),
              Digest.parse(s.manifestDigest()),
              s.mediaType(),
              Platform.parse(s.platform()),
              Digest.parse(s.configDigest()),
              layers);
      return Optional.of(new Entry(manifest, Instant.parse(s.resolvedAt())));
    } catch (IOException | RuntimeException e) {
      log.warn("ignoring the remembered manifest {}: {}", file, e.getMessage());
      return Optional.empty();
    }
  }

  private Path fileOf(ImageRef ref, Platform platform) {
    String key = ref + " " + platform;
    return root.resolve(Digest.sha256(key.getBytes(StandardCharsets.UTF_8)).hex() + ".json");
  }
}
