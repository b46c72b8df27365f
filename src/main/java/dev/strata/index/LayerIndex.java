package dev.strata.index;

import dev.strata.registry.Digest;
import java.util.Collections;
import java.util.List;

/**
 * Everything strata knows about one layer after one streaming pass: where each entry's payload
 * lives in the uncompressed stream, where decompression can restart, and the digest of every span
 * between restart points.
 *
 * @param checkpoints in increasing order, the first at uncompressed offset 0
 * @param spanDigests one per checkpoint: span i runs from checkpoint i to checkpoint i+1 (the last
 *     to the end of the stream)
 */
public record LayerIndex(
    int version,
    Digest layerDigest,
    Digest diffId,
    String mediaType,
    Compression compression,
    long compressedSize,
    long uncompressedSize,
    long spanTarget,
    List<Checkpoint> checkpoints,
    List<Digest> spanDigests,
    List<IndexEntry> entries) {

  /** Bumped whenever the meaning of an index changes; older indexes are rebuilt. */
  public static final int CURRENT_VERSION = 1;

  public LayerIndex {
    checkpoints = List.copyOf(checkpoints);
    spanDigests = List.copyOf(spanDigests);
    entries = List.copyOf(entries);
    if (checkpoints.size() != spanDigests.size()) {
      throw new IllegalArgumentException(
          checkpoints.size() + " checkpoints but " + spanDigests.size() + " span digests");
    }
    if (uncompressedSize > 0
        && (checkpoints.isEmpty() || checkpoints.getFirst().uncompressedOffset() != 0)) {
      throw new IllegalArgumentException("the first checkpoint must be at offset 0");
    }
  }

  public int spanCount() {
    return checkpoints.size();
  }

  public Span span(int i) {
    Checkpoint from = checkpoints.get(i);
    boolean last = i == checkpoints.size() - 1;
    long end = last ? uncompressedSize : checkpoints.get(i + 1).uncompressedOffset();
    // Exclusive: when the next checkpoint is not byte aligned, the byte before its
    // compressedOffset holds this span's last bits too, and is included.
    long compressedEnd = last ? compressedSize : checkpoints.get(i + 1).compressedOffset();
    return new Span(
        i,
        from.uncompressedOffset(),
        end,
        from.compressedReadStart(),
        compressedEnd,
        spanDigests.get(i));
  }

  /** The span holding uncompressed offset {@code offset}. */
  public Span spanAt(long offset) {
    if (offset < 0 || offset >= uncompressedSize) {
      throw new IllegalArgumentException(
          "offset " + offset + " outside the layer's " + uncompressedSize + " bytes");
    }
    int lo = 0;
    int hi = checkpoints.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (checkpoints.get(mid).uncompressedOffset() <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return span(lo);
  }

  /** The entries in stream order (a later entry of the same path replaces an earlier one). */
  public List<IndexEntry> entriesView() {
    return Collections.unmodifiableList(entries);
  }
}
