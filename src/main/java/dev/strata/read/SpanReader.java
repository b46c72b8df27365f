package dev.strata.read;

import dev.strata.index.LayerIndex;
import dev.strata.index.Span;
import dev.strata.index.gzip.CheckpointInflater;
import dev.strata.index.zstd.ZstdSpans;
import dev.strata.registry.Digest;
import dev.strata.registry.DigestMismatchException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads spans of a layer from its compressed blob: one range request from the first span's
 * checkpoint to the last span's end (adjacent spans coalesced), decompression restarted at the
 * checkpoint, and every span checked against its digest before it is returned.
 */
public final class SpanReader {
  private final BlobRanges blob;
  private final boolean verify;

  /** A reader that checks every span against its digest. */
  public SpanReader(BlobRanges blob) {
    this(blob, true);
  }

  /**
   * @param verify false only when the caller verifies every span itself (the tiered read path
   *     checks each span once, whatever tier it came from)
   */
  public SpanReader(BlobRanges blob, boolean verify) {
    this.blob = blob;
    this.verify = verify;
  }

  /** Spans {@code first..last} (inclusive) of the layer, each verified. */
  public List<byte[]> readSpans(LayerIndex index, int first, int last) throws IOException {
    if (first < 0 || last >= index.spanCount() || first > last) {
      throw new IllegalArgumentException(
          "spans " + first + ".." + last + " outside 0.." + (index.spanCount() - 1));
    }
    Span from = index.span(first);
    Span to = index.span(last);
    long compressedLength = to.compressedEnd() - from.compressedStart();
    List<byte[]> spans = new ArrayList<>(last - first + 1);
    try (InputStream compressed = blob.open(from.compressedStart(), compressedLength);
        InputStream uncompressed = uncompressed(index, first, compressed)) {
      for (int i = first; i <= last; i++) {
        Span span = index.span(i);
        byte[] bytes = uncompressed.readNBytes(Math.toIntExact(span.length()));
        if (bytes.length != span.length()) {
          throw new IOException(
              "span "
                  + i
                  + " of layer "
                  + index.layerDigest()
                  + " ended after "
                  + bytes.length
                  + " of "
                  + span.length()
                  + " bytes");
        }
        if (verify) {
          verify(index, span, bytes);
        }
        spans.add(bytes);
      }
    }
    return spans;
  }

  public byte[] readSpan(LayerIndex index, int i) throws IOException {
    return readSpans(index, i, i).getFirst();
  }

  private static InputStream uncompressed(LayerIndex index, int first, InputStream compressed)
      throws IOException {
    return switch (index.compression()) {
      case NONE -> compressed;
      case GZIP -> CheckpointInflater.open(index.checkpoints().get(first), compressed);
      case ZSTD -> ZstdSpans.inflateFrom(compressed);
    };
  }

  /** Never hand out a span whose bytes are not the ones the index recorded. */
  public static void verify(LayerIndex index, Span span, byte[] bytes)
      throws DigestMismatchException {
    Digest actual = Digest.sha256(bytes);
    if (!actual.equals(span.digest())) {
      throw new DigestMismatchException(
          "span " + span.index() + " of layer " + index.layerDigest(), span.digest(), actual);
    }
  }
}
