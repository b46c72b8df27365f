package dev.strata.index;

import dev.strata.registry.Digest;

/**
 * The stretch of a layer's uncompressed stream between two consecutive checkpoints: the unit that
 * is fetched, verified and cached.
 *
 * @param start uncompressed start (inclusive)
 * @param end uncompressed end (exclusive)
 * @param compressedStart first blob byte needed to inflate the span
 * @param compressedEnd blob offset after the last byte needed (exclusive)
 * @param digest sha256 of the span's uncompressed bytes
 */
public record Span(
    int index, long start, long end, long compressedStart, long compressedEnd, Digest digest) {
  public long length() {
    return end - start;
  }
}
