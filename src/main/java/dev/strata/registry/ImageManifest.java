package dev.strata.registry;

import java.util.List;

/**
 * A resolved image: the single-platform manifest a reference leads to, its config and its layers.
 *
 * @param ref the reference as given, pinned to {@code manifestDigest}
 * @param indexDigest the digest of the index the platform was chosen from, or {@code null}
 */
public record ImageManifest(
    ImageRef ref,
    Digest indexDigest,
    Digest manifestDigest,
    String mediaType,
    Platform platform,
    Digest configDigest,
    List<LayerDescriptor> layers) {
  public ImageManifest {
    layers = List.copyOf(layers);
  }

  public long compressedSize() {
    return layers.stream().mapToLong(LayerDescriptor::size).sum();
  }
}
