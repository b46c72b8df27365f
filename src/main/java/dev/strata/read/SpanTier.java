package dev.strata.read;

import dev.strata.index.LayerIndex;
import java.io.IOException;
import java.util.Optional;

/**
 * One tier of the read path: a place spans may be found (memory, local disk, the cluster
 * ContentCache, the registry). Tiers do not verify what they return — {@link TieredSpans} checks
 * every span against its digest once — and they never throw for a plain miss.
 */
public interface SpanTier {
  /** A short name for logs and metrics: {@code memory}, {@code disk}, {@code registry}. */
  String name();

  /** The span's bytes if this tier has them. */
  Optional<byte[]> get(LayerIndex index, int span) throws IOException;

  /**
   * Spans {@code first..last} (inclusive) in one go where the tier can do better than one by one
   * (the registry: one Range request). Missing spans are absent from the result.
   */
  default java.util.Map<Integer, byte[]> getRun(LayerIndex index, int first, int last)
      throws IOException {
    java.util.Map<Integer, byte[]> found = new java.util.HashMap<>();
    for (int i = first; i <= last; i++) {
      Optional<byte[]> bytes = get(index, i);
      if (bytes.isPresent()) {
        found.put(i, bytes.get());
      }
    }
    return found;
  }

  /** Keeps a verified span that came from a lower tier. */
  default void put(LayerIndex index, int span, byte[] bytes) throws IOException {}

  /** Drops a copy that failed verification. */
  default void evict(LayerIndex index, int span) throws IOException {}

  /**
   * Whether what this tier returns is exactly what was {@link #put} into it in this process, so
   * already verified (memory). Copies that crossed a disk or a network are verified again.
   */
  default boolean holdsVerifiedCopies() {
    return false;
  }

  /** Whether {@link #put} keeps anything (the registry does not). */
  default boolean keeps() {
    return true;
  }
}
