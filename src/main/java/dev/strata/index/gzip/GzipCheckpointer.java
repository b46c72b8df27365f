package dev.strata.index.gzip;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.strata.index.Checkpoint;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
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
 * <p>How: each member's header is parsed in Java ({@link GzipHeader}), its deflate data is inflated
 * by the system zlib in raw mode with {@code inflate(Z_BLOCK)}, which returns at every block end
 * with the bit position in {@code data_type}, and its trailer (CRC-32 and length) is checked in
 * Java ({@link CRC32} is an intrinsic, faster than zlib 1.2's own CRC). The window at a block
 * boundary comes from {@code inflateGetDictionary} and is raw-deflated with {@link Deflater} at
 * level 1. Output reaches the sink in chunks of 224–256 KiB, and before each checkpoint.
 *
 * <p>Memory is bounded (64 KiB of input, 256 KiB of output, zlib's ~40 KiB and the window
 * deflater's ~300 KiB state) whatever the stream's size. A call runs on the thread that made it
 * (its native buffers are confined to it); separate calls share nothing.
 */
public final class GzipCheckpointer {
  /** What the pass produces, in stream order. */
  public interface Sink {
    /**
     * The next uncompressed bytes ({@code len > 0}). {@code buf} is reused after this returns: copy
     * what you keep.
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

  private static final int IN_SIZE = 64 * 1024;
  private static final int OUT_SIZE = 256 * 1024;

  /** Hand output to the sink once less than this much room is left in the output buffer. */
  private static final int OUT_LOW_WATER = 32 * 1024;

  /**
   * Deflate level for windows: level 1 is several times faster than 6, and on tar-like data the
   * windows come out only ~3% larger (7.7 vs 7.5 MB per GB at 2 MiB spans).
   */
  private static final int WINDOW_LEVEL = 1;

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
    private final ZInput input;
    private final MemorySegment outSeg;
    private final ByteBuffer outView;
    private final byte[] outArr = new byte[OUT_SIZE];
    private final MemorySegment dictSeg;
    private final MemorySegment dictLen;
    private final Deflater deflater = new Deflater(WINDOW_LEVEL, true);
    private byte[] deflated = new byte[Zlib.WINDOW_SIZE + 1024];
    private final GzipHeader header = new GzipHeader();
    private final CRC32 crc = new CRC32();

    /** Uncompressed bytes handed to the sink. */
    private long delivered;

    /** Uncompressed offset of the last checkpoint, or -1 before the first. */
    private long lastCheckpoint = -1;

    /** Uncompressed offset where the current member's data starts. */
    private long memberStart;

    /** Where in the output buffer the current member's bytes not yet in {@link #crc} start. */
    private int crcFrom;

    Pass(Arena arena, InputStream in, long spanTarget, Sink sink) {
      this.in = in;
      this.spanTarget = spanTarget;
      this.sink = sink;
      strm = Zlib.newStream(arena);
      input = new ZInput(strm, arena.allocate(IN_SIZE, 64), new byte[IN_SIZE]);
      outSeg = arena.allocate(OUT_SIZE, 64);
      outView = outSeg.asByteBuffer();
      dictSeg = arena.allocate(Zlib.WINDOW_SIZE, 64);
      dictLen = arena.allocate(JAVA_INT);
    }

    long run() throws IOException {
      try {
        input.reset(in);
        if (!input.fill(2)) {
          throw new EOFException(
              "truncated gzip stream: input ended after "
                  + input.bytesRead()
                  + " bytes, before any member");
        }
        if (!input.atGzipMagic()) {
          throw new ZipException("not a gzip stream (no gzip magic at offset 0)");
        }
        check(Zlib.inflateInit2(strm, Zlib.RAW), "inflateInit2");
        try {
          members();
        } finally {
          Zlib.inflateEnd(strm);
        }
        return delivered;
      } finally {
        deflater.end();
      }
    }

    /** Member after member: header (in Java), deflate data (raw zlib), trailer (in Java). */
    private void members() throws IOException {
      Zlib.setOutput(strm, outSeg, 0, OUT_SIZE);
      while (true) {
        header();
        long offset = delivered + pending();
        memberStart = offset;
        crc.reset();
        crcFrom = pending();
        if (lastCheckpoint < 0 || offset - lastCheckpoint >= spanTarget) {
          checkpoint(offset, 0, false);
        }
        deflateData();
        trailer();
        if (input.fill(2) && input.atGzipMagic()) {
          header.reset();
          check(Zlib.inflateReset(strm), "inflateReset");
        } else {
          flush();
          long at = input.offset();
          ZInput.Drained rest = input.drain();
          if (rest.count() > 0) {
            sink.trailingData(at, rest.count(), rest.allZero());
          }
          return;
        }
      }
    }

    private void header() throws IOException {
      while (!header.isDone()) {
        if (input.available() == 0 && !input.fill(1)) {
          throw truncated("a member header");
        }
        int k;
        try {
          k = header.feed(input.array(), input.position(), input.available());
        } catch (ZipException e) {
          throw new ZipException(
              "corrupt gzip stream near compressed offset "
                  + input.offset()
                  + ": "
                  + e.getMessage());
        }
        input.consume(k);
      }
    }

    private void deflateData() throws IOException {
      while (true) {
        if (input.available() == 0 && !input.fill(1)) {
          flush();
          throw truncated("a member's deflate data");
        }
        int ret = Zlib.inflate(strm, Zlib.Z_BLOCK);
        if (ret == Zlib.Z_STREAM_END) {
          return;
        }
        if (ret != Zlib.Z_OK) {
          throw corrupt(Zlib.describe(strm, ret));
        }
        int dataType = Zlib.dataType(strm);
        if ((dataType & 0xC0) == 0x80) { // the end of a block that is not the last
          long offset = delivered + pending();
          if (offset - lastCheckpoint >= spanTarget) {
            checkpoint(offset, dataType & 7, true);
          }
        }
        if (Zlib.availOut(strm) < OUT_LOW_WATER) {
          flush();
        }
      }
    }

    /** Checks the member's CRC-32 and length (mod 2^32) against its trailer. */
    private void trailer() throws IOException {
      int end = pending();
      updateCrc(crcFrom, end);
      crcFrom = end;
      if (!input.fill(8)) {
        throw truncated("a member trailer");
      }
      long expectedCrc = input.le32();
      input.consume(4);
      long expectedSize = input.le32();
      if (expectedCrc != crc.getValue()) {
        throw corrupt("incorrect data check (CRC-32 of the member's data)");
      }
      if (expectedSize != ((delivered + end - memberStart) & 0xffffffffL)) {
        throw corrupt("incorrect length check (length of the member's data)");
      }
      input.consume(4);
    }

    private void checkpoint(long offset, int bits, boolean withWindow) throws IOException {
      flush();
      byte[] window = EMPTY;
      int windowLength = 0;
      if (withWindow) {
        check(Zlib.inflateGetDictionary(strm, dictSeg, dictLen), "inflateGetDictionary");
        windowLength = dictLen.get(JAVA_INT, 0);
        window = deflateWindow(windowLength);
      }
      sink.checkpoint(new Checkpoint(offset, input.offset(), bits, window, windowLength));
      lastCheckpoint = offset;
    }

    /** Raw-deflates the first {@code length} bytes of {@link #dictSeg}. */
    private byte[] deflateWindow(int length) {
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
        updateCrc(crcFrom, n);
        crcFrom = 0;
        MemorySegment.copy(outSeg, JAVA_BYTE, 0, outArr, 0, n);
        delivered += n;
        Zlib.setOutput(strm, outSeg, 0, OUT_SIZE);
        sink.data(outArr, 0, n);
      }
    }

    private void updateCrc(int from, int to) {
      if (to > from) {
        outView.clear().position(from).limit(to);
        crc.update(outView);
      }
    }

    private EOFException truncated(String where) {
      return new EOFException(
          "truncated gzip stream: input ended inside "
              + where
              + " at compressed offset "
              + input.bytesRead()
              + " (uncompressed offset "
              + (delivered + pending())
              + ")");
    }

    private ZipException corrupt(String what) {
      return new ZipException(
          "corrupt gzip stream near compressed offset "
              + input.offset()
              + " (uncompressed offset "
              + (delivered + pending())
              + "): "
              + what);
    }

    private void check(int ret, String what) throws IOException {
      if (ret != Zlib.Z_OK) {
        throw new IOException(what + " failed: " + Zlib.describe(strm, ret));
      }
    }
  }
}
