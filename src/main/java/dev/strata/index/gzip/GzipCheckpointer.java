package dev.strata.index.gzip;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.strata.index.Checkpoint;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.ZipException;

/**
 * Index time: one streaming pass over a gzip blob that hands out the uncompressed bytes and the
 * places where decompression can later restart ({@link Checkpoint}s).
 *
 * <p>Checkpoints, in strictly increasing uncompressed order:
 *
 * <ul>
 *   <li>always one at uncompressed offset 0: right after the first member's gzip header, byte
 *       aligned, empty window;
 *   <li>then one at the first deflate block boundary (end of a block that is not the last of its
 *       member) or gzip member start reached after at least {@code spanTarget} uncompressed bytes
 *       since the previous checkpoint. A member start is byte aligned with an empty window; a block
 *       boundary carries its bit offset and the (up to 32 KiB) window before it, raw-deflated.
 * </ul>
 *
 * So every gap between checkpoints is at least {@code spanTarget}, and at most {@code spanTarget}
 * plus the output of one deflate block (blocks of long zero runs can produce megabytes) — except
 * the last span, from the last checkpoint to the end of the stream, which may be any length.
 *
 * <p>Multi-member gzip (concatenations, pigz, eStargz) is one stream: after a member's trailer, if
 * the next two bytes are the gzip magic another member follows. Anything else after a complete
 * member ends the data, as with {@code gzip -d}: zero padding or other trailing bytes are read to
 * the end of the input (so a digest of the input covers them), reported to {@link
 * Sink#trailingData} (which ignores them unless overridden) and not decompressed. Truncated input
 * throws {@link EOFException}; corrupt input (bad header, bad deflate data, CRC or length mismatch
 * in a member's trailer) throws {@link ZipException}; both name the compressed offset.
 *
 * <p>Memory is bounded (a 64 KiB input buffer, a 256 KiB output buffer, zlib's 40 KiB state)
 * whatever the stream's size. Not thread-safe per call, but calls are independent.
 */
public final class GzipCheckpointer {
  /** What the pass produces, in stream order. */
  public interface Sink {
    /**
     * The next uncompressed bytes. {@code buf} is reused after this returns: copy what you keep.
     */
    void data(byte[] buf, int off, int len) throws IOException;

    /**
     * A checkpoint at the current position: all data before {@code cp.uncompressedOffset()} has
     * been delivered, none after it.
     */
    void checkpoint(Checkpoint cp) throws IOException;

    /**
     * After the last complete member, {@code length} bytes at {@code compressedOffset} that are not
     * a gzip member: zero padding when {@code allZero}, otherwise garbage. {@code gzip -d} accepts
     * both (warning about garbage); so does the default. Throw to reject.
     */
    default void trailingData(long compressedOffset, long length, boolean allZero)
        throws IOException {}
  }

  static final int IN_SIZE = 64 * 1024;
  static final int OUT_SIZE = 256 * 1024;

  /** Hand output to the sink once less than this much room is left in the output buffer. */
  private static final int OUT_LOW_WATER = 32 * 1024;

  private static final byte[] EMPTY = new byte[0];

  private GzipCheckpointer() {}

  /**
   * Reads {@code gzip} to its end (not closing it), feeding {@code sink}.
   *
   * @param spanTarget the least uncompressed distance between checkpoints, > 0
   * @return the total number of uncompressed bytes
   * @throws EOFException if the input ends inside a member (or is empty)
   * @throws ZipException if the input is not gzip or is corrupt
   * @throws IllegalStateException if the system zlib cannot be loaded
   */
  public static long run(InputStream gzip, long spanTarget, Sink sink) throws IOException {
    if (spanTarget <= 0) {
      throw new IllegalArgumentException("spanTarget must be positive: " + spanTarget);
    }
    Zlib.requireAvailable();
    try (Arena arena = Arena.ofConfined()) {
      return new Pass(arena, gzip, spanTarget, sink).run();
    }
  }

  /** The state of one pass; everything off-heap lives in the pass's confined arena. */
  private static final class Pass {
    private final InputStream in;
    private final long spanTarget;
    private final Sink sink;

    private final MemorySegment strm;
    private final MemorySegment inSeg;
    private final byte[] inArr = new byte[IN_SIZE];
    private final MemorySegment outSeg;
    private final byte[] outArr = new byte[OUT_SIZE];
    private final MemorySegment dictSeg;
    private final MemorySegment dictLen;
    private final Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    private byte[] deflated = new byte[Zlib.WINDOW_SIZE + 1024];

    /** Bytes read from {@link #in} so far. */
    private long read;

    /** Valid bytes in {@link #inSeg}; the unconsumed ones are its last avail_in. */
    private int inFill;

    /** Uncompressed bytes handed to the sink. */
    private long delivered;

    /** Uncompressed offset of the last checkpoint, or -1 before the first. */
    private long lastCheckpoint = -1;

    Pass(Arena arena, InputStream in, long spanTarget, Sink sink) {
      this.in = in;
      this.spanTarget = spanTarget;
      this.sink = sink;
      strm = Zlib.newStream(arena);
      inSeg = arena.allocate(IN_SIZE, 64);
      outSeg = arena.allocate(OUT_SIZE, 64);
      dictSeg = arena.allocate(Zlib.WINDOW_SIZE, 64);
      dictLen = arena.allocate(JAVA_INT);
    }

    long run() throws IOException {
      try {
        if (!fill(2)) {
          throw new EOFException(
              "truncated gzip stream: input ended after " + inFill + " bytes, before any member");
        }
        if (!isGzipMagic()) {
          throw new ZipException("not a gzip stream (no gzip magic at offset 0)");
        }
        check(Zlib.inflateInit2(strm, Zlib.GZIP), "inflateInit2");
        try {
          loop();
        } finally {
          Zlib.inflateEnd(strm);
        }
        return delivered;
      } finally {
        deflater.end();
      }
    }

    private void loop() throws IOException {
      Zlib.setOutput(strm, outSeg, 0, OUT_SIZE);
      boolean inHeader = true;
      while (true) {
        if (Zlib.availIn(strm) == 0 && !fill(1)) {
          flush();
          throw new EOFException(
              "truncated gzip stream: input ended inside a member at compressed offset "
                  + read
                  + " (uncompressed offset "
                  + delivered
                  + ")");
        }
        int ret = Zlib.inflate(strm, Zlib.Z_BLOCK);
        if (ret == Zlib.Z_STREAM_END) {
          // Member complete, trailer checked. Another one, or the end.
          if (fill(2) && isGzipMagic()) {
            check(Zlib.inflateReset(strm), "inflateReset");
            inHeader = true;
          } else {
            flush();
            drainTrailing();
            return;
          }
        } else if (ret != Zlib.Z_OK) {
          throw corrupt(ret);
        } else {
          int dataType = Zlib.dataType(strm);
          if ((dataType & 0xC0) == 0x80) {
            long offset = delivered + pending();
            if (inHeader) {
              inHeader = false;
              if (lastCheckpoint < 0 || offset - lastCheckpoint >= spanTarget) {
                checkpoint(offset, 0, false);
              }
            } else if (offset - lastCheckpoint >= spanTarget) {
              checkpoint(offset, dataType & 7, true);
            }
          }
        }
        if (Zlib.availOut(strm) < OUT_LOW_WATER) {
          flush();
        }
      }
    }

    private void checkpoint(long offset, int bits, boolean withWindow) throws IOException {
      flush();
      byte[] window = EMPTY;
      int windowLength = 0;
      if (withWindow) {
        check(Zlib.inflateGetDictionary(strm, dictSeg, dictLen), "inflateGetDictionary");
        windowLength = dictLen.get(JAVA_INT, 0);
        window = deflate(windowLength);
      }
      long compressedOffset = read - Zlib.availIn(strm);
      sink.checkpoint(new Checkpoint(offset, compressedOffset, bits, window, windowLength));
      lastCheckpoint = offset;
    }

    /** Raw-deflates the first {@code length} bytes of {@link #dictSeg}. */
    private byte[] deflate(int length) {
      if (length == 0) {
        return EMPTY;
      }
      MemorySegment.copy(dictSeg, JAVA_BYTE, 0, outArr, 0, length);
      deflater.reset();
      deflater.setInput(outArr, 0, length);
      deflater.finish();
      int n = 0;
      while (!deflater.finished()) {
        if (n == deflated.length) {
          deflated = Arrays.copyOf(deflated, deflated.length * 2);
        }
        n += deflater.deflate(deflated, n, deflated.length - n);
      }
      return Arrays.copyOf(deflated, n);
    }

    /** Uncompressed bytes in {@link #outSeg} not yet handed to the sink. */
    private int pending() {
      return OUT_SIZE - Zlib.availOut(strm);
    }

    private void flush() throws IOException {
      int n = pending();
      if (n > 0) {
        MemorySegment.copy(outSeg, JAVA_BYTE, 0, outArr, 0, n);
        delivered += n;
        Zlib.setOutput(strm, outSeg, 0, OUT_SIZE);
        sink.data(outArr, 0, n);
      }
    }

    /**
     * Makes at least {@code n} (≤ {@link #IN_SIZE}) unconsumed input bytes available if the input
     * has them, keeping the unconsumed ones. Returns whether it could.
     */
    private boolean fill(int n) throws IOException {
      int avail = Zlib.availIn(strm);
      if (avail >= n) {
        return true;
      }
      if (avail > 0) {
        MemorySegment.copy(inSeg, inFill - avail, inSeg, 0, avail);
      }
      int fill = avail;
      while (fill < n) {
        int got = in.read(inArr, fill, IN_SIZE - fill);
        if (got < 0) {
          break;
        }
        MemorySegment.copy(inArr, fill, inSeg, JAVA_BYTE, fill, got);
        fill += got;
        read += got;
      }
      inFill = fill;
      Zlib.setInput(strm, inSeg, 0, fill);
      return fill >= n;
    }

    private boolean isGzipMagic() {
      int at = inFill - Zlib.availIn(strm);
      return inSeg.get(JAVA_BYTE, at) == (byte) 0x1f && inSeg.get(JAVA_BYTE, at + 1) == (byte) 0x8b;
    }

    /** Reads what follows the last member to the end of the input and reports it. */
    private void drainTrailing() throws IOException {
      int avail = Zlib.availIn(strm);
      long start = read - avail;
      MemorySegment.copy(inSeg, JAVA_BYTE, inFill - avail, inArr, 0, avail);
      boolean allZero = allZero(inArr, 0, avail);
      long length = avail;
      int got;
      while ((got = in.read(inArr, 0, IN_SIZE)) >= 0) {
        read += got;
        length += got;
        allZero &= allZero(inArr, 0, got);
      }
      Zlib.setInput(strm, inSeg, 0, 0);
      if (length > 0) {
        sink.trailingData(start, length, allZero);
      }
    }

    private ZipException corrupt(int ret) {
      long at = read - Zlib.availIn(strm);
      return new ZipException(
          "corrupt gzip stream near compressed offset "
              + at
              + " (uncompressed offset "
              + (delivered + pending())
              + "): "
              + Zlib.describe(strm, ret));
    }

    private void check(int ret, String what) throws IOException {
      if (ret != Zlib.Z_OK) {
        throw new IOException(what + " failed: " + Zlib.describe(strm, ret));
      }
    }
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
