package dev.strata.index.gzip;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;

/**
 * The input side of a z_stream: compressed bytes read from an {@link InputStream} into a heap array
 * and its off-heap twin at the same positions (zlib reads the twin; Java code such as {@link
 * GzipHeader} reads the array), with the unconsumed bytes being the last {@code avail_in} of what
 * was filled. Not thread-safe.
 */
final class ZInput {
  private final MemorySegment strm;
  private final MemorySegment seg;
  private final byte[] arr;
  private InputStream in;

  /** Valid bytes in the buffer. */
  private int filled;

  /** Bytes read from {@link #in} so far. */
  private long read;

  ZInput(MemorySegment strm, MemorySegment seg, byte[] arr) {
    if (seg.byteSize() != arr.length) {
      throw new IllegalArgumentException("buffer sizes differ");
    }
    this.strm = strm;
    this.seg = seg;
    this.arr = arr;
  }

  /** Starts over on {@code in}, with nothing buffered. */
  void reset(InputStream in) {
    this.in = in;
    filled = 0;
    read = 0;
    Zlib.setInput(strm, seg, 0, 0);
  }

  /** Unconsumed bytes in the buffer. */
  int available() {
    return Zlib.availIn(strm);
  }

  /** Position of the next unconsumed byte in {@link #array()}. */
  int position() {
    return filled - Zlib.availIn(strm);
  }

  byte[] array() {
    return arr;
  }

  /** Offset in the input stream of the next unconsumed byte. */
  long offset() {
    return read - Zlib.availIn(strm);
  }

  /** Bytes read from the input stream so far. */
  long bytesRead() {
    return read;
  }

  void consume(int k) {
    int avail = Zlib.availIn(strm);
    if (k > avail) {
      throw new IllegalArgumentException("consume " + k + " of " + avail);
    }
    Zlib.setInput(strm, seg, filled - avail + k, avail - k);
  }

  /**
   * Makes at least {@code n} (at most the buffer size) unconsumed bytes available if the input has
   * them, moving the unconsumed ones to the front first. Returns whether it could; when not,
   * whatever the input had is available.
   */
  boolean fill(int n) throws IOException {
    int avail = Zlib.availIn(strm);
    if (avail >= n) {
      return true;
    }
    if (avail > 0 && avail < filled) {
      System.arraycopy(arr, filled - avail, arr, 0, avail);
      MemorySegment.copy(seg, filled - avail, seg, 0, avail);
    }
    int f = avail;
    while (f < n) {
      int got = in.read(arr, f, arr.length - f);
      if (got < 0) {
        break;
      }
      MemorySegment.copy(arr, f, seg, JAVA_BYTE, f, got);
      f += got;
      read += got;
    }
    filled = f;
    Zlib.setInput(strm, seg, 0, f);
    return f >= n;
  }

  /** Whether the next two unconsumed bytes (which must be available) are the gzip magic. */
  boolean atGzipMagic() {
    int p = position();
    return arr[p] == (byte) 0x1f && arr[p + 1] == (byte) 0x8b;
  }

  /** The little-endian 32-bit value at the next unconsumed byte (4 must be available). */
  long le32() {
    int p = position();
    return (arr[p] & 0xffL)
        | (arr[p + 1] & 0xffL) << 8
        | (arr[p + 2] & 0xffL) << 16
        | (arr[p + 3] & 0xffL) << 24;
  }

  /** What {@link #drain} dropped. */
  record Drained(long count, boolean allZero) {}

  /** Reads the input to its end, dropping the unconsumed bytes. */
  Drained drain() throws IOException {
    int avail = Zlib.availIn(strm);
    long count = avail;
    boolean zero = allZero(arr, position(), filled);
    int got;
    while ((got = in.read(arr, 0, arr.length)) >= 0) {
      read += got;
      count += got;
      zero &= allZero(arr, 0, got);
    }
    filled = 0;
    Zlib.setInput(strm, seg, 0, 0);
    return new Drained(count, zero);
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
