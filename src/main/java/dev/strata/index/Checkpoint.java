package dev.strata.index;

/**
 * A place where decompression can restart: a deflate block boundary (or a gzip member start, or a
 * zstd frame start).
 *
 * @param uncompressedOffset position in the layer's uncompressed stream
 * @param compressedOffset position in the blob of the first byte that holds only data from here on
 * @param bits how many bits (0–7) of the byte before {@code compressedOffset} belong to the data
 *     from here on (its high bits); 0 when the checkpoint is byte aligned
 * @param window the (up to 32 KiB) of uncompressed data before the checkpoint, deflated; empty at
 *     member and frame starts
 * @param windowLength the window's length before it was deflated
 */
@SuppressWarnings("ArrayRecordComponent") // written once by the indexer, only read afterwards
public record Checkpoint(
    long uncompressedOffset, long compressedOffset, int bits, byte[] window, int windowLength) {
  public Checkpoint {
    if (bits < 0 || bits > 7) {
      throw new IllegalArgumentException("bit offset " + bits + " outside 0-7");
    }
  }

  /** Where a read of this checkpoint's data starts in the blob: one byte early if not aligned. */
  public long compressedReadStart() {
    return bits == 0 ? compressedOffset : compressedOffset - 1;
  }
}
