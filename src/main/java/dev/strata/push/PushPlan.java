package dev.strata.push;

import dev.strata.registry.BlobContent;
import dev.strata.registry.Digest;
import java.util.List;

/**
 * What pushing an image uploads: blobs first (in any order, concurrently), then manifests in list
 * order — an index's children before the index — the last one being the image itself.
 */
public record PushPlan(List<Blob> blobs, List<Manifest> manifests) {
  public PushPlan {
    blobs = List.copyOf(blobs);
    manifests = List.copyOf(manifests);
    if (manifests.isEmpty()) {
      throw new IllegalArgumentException("a push plan needs a manifest");
    }
  }

  /** A blob to upload unless the registry has it. */
  public record Blob(Digest digest, long size, BlobContent content) {}

  /** A manifest to put; {@code body} is pushed byte for byte, so its digest is kept. */
  @SuppressWarnings("ArrayRecordComponent") // built once and only read
  public record Manifest(String mediaType, byte[] body) {
    public Digest digest() {
      return Digest.sha256(body);
    }
  }

  public Manifest top() {
    return manifests.getLast();
  }
}
