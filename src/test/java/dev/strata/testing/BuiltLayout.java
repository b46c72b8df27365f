package dev.strata.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link OciLayouts} wrote for one tag: the digests a test can compare against what a client
 * fetched from a registry.
 *
 * @param layoutDir the OCI image layout directory
 * @param tag the {@code org.opencontainers.image.ref.name} of the top-level descriptor
 * @param mediaType media type of the top-level blob: an image manifest or an image index
 * @param digest digest of the top-level blob (the manifest, or the index for multi-platform)
 * @param size size in bytes of the top-level blob
 * @param images the platform images, in index order (exactly one unless {@link #isIndex()})
 */
public record BuiltLayout(
    Path layoutDir, String tag, String mediaType, String digest, long size, List<Image> images) {

  public BuiltLayout {
    images = List.copyOf(images);
  }

  /** An OCI platform; {@code variant} is {@code null} when absent. */
  public record Platform(String os, String architecture, String variant) {
    /** {@code os/arch[/variant]}, e.g. {@code linux/arm/v7}. */
    @Override
    public String toString() {
      return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
  }

  /**
   * One gzip tar layer.
   *
   * @param digest digest of the compressed blob
   * @param size size of the compressed blob
   * @param diffId sha256 of the uncompressed tar (as listed in the config's rootfs.diff_ids)
   * @param entries tar entry names in order (directories end with {@code /})
   */
  public record Layer(String digest, long size, String diffId, List<String> entries) {
    public Layer {
      entries = List.copyOf(entries);
    }
  }

  /** One platform image: its manifest, config and layers (bottom first). */
  public record Image(
      Platform platform,
      String manifestDigest,
      long manifestSize,
      String configDigest,
      long configSize,
      List<Layer> layers) {
    public Image {
      layers = List.copyOf(layers);
    }
  }

  /** Whether the top-level blob is an image index. */
  public boolean isIndex() {
    return mediaType.equals(OciLayouts.INDEX_MEDIA_TYPE);
  }

  /** The only image; fails for a multi-platform layout. */
  public Image image() {
    if (images.size() != 1) {
      throw new IllegalStateException(tag + " has " + images.size() + " images");
    }
    return images.get(0);
  }

  /** The image for {@code platform} (compared by {@code os/arch[/variant]} string). */
  public Image image(String platform) {
    return images.stream()
        .filter(i -> i.platform().toString().equals(platform))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException(tag + " has no image for " + platform));
  }

  /** Path of a blob in the layout, {@code blobs/sha256/HEX}. */
  public Path blobPath(String blobDigest) {
    if (!blobDigest.startsWith("sha256:")) {
      throw new IllegalArgumentException("not a sha256 digest: " + blobDigest);
    }
    return layoutDir.resolve("blobs/sha256").resolve(blobDigest.substring("sha256:".length()));
  }

  /** Bytes of a blob in the layout. */
  public byte[] blob(String blobDigest) {
    try {
      return Files.readAllBytes(blobPath(blobDigest));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
