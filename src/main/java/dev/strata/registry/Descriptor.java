package dev.strata.registry;

import java.util.Map;

/**
 * An OCI content descriptor.
 *
 * @param platform the platform of an index entry, or {@code null}
 */
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    Platform platform,
    Map<String, String> annotations) {
  public Descriptor {
    annotations = Map.copyOf(annotations);
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size + " for " + digest);
    }
  }
}
