package dev.strata.index.gzip;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import dev.strata.index.Checkpoint;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.zip.ZipException;

/**
 * Read time: restarts decompression of a gzip blob at a {@link Checkpoint} recorded by {@link
 * GzipCheckpointer}, with the system zlib: a raw inflate primed with the checkpoint's leading bits
 * ({@code inflatePrime}) and its window ({@code inflateSetDictionary}).
 *
 * <p>The compressed input must start at {@link Checkpoint#compressedReadStart()} in the blob. To
 * produce the uncompressed bytes up to a later checkpoint {@code next}, the input needs to run only
 * up to {@code next.compressedOffset()} (exclusive); input is read in chunks of up to 64 KiB, and
 * only when zlib needs more. Decompression continues across gzip member boundaries: after a
 * member's deflate data its 8-byte trailer is skipped, the next member's header is parsed (FEXTRA,
 * FNAME, FCOMMENT, FHCRC; header CRC checked) and a fresh raw inflate, with no dictionary, goes on.
 * As at index time, anything after a complete member that is not the gzip magic ends the data.
 *
 * <p>No CRC is checked here (the read usually starts inside a member, so the member's CRC cannot
 * be): a span's bytes are verified by its digest. Truncated input throws {@link EOFException}; data
 * zlib rejects (and a bad header or window) throws {@link ZipException}.
 *
 * <p>Native state (a z_stream and its buffers, about 300 KiB) is pooled across calls and threads;
 * each call or stream uses its own, so concurrent calls are safe. A stream from {@link #open} must
 * be closed to return its state to the pool (an unclosed one is freed when garbage collected).
 */
public final class CheckpointInflater {
  private static final int IN_SIZE = 64 * 1024;
  private static final int OUT_SIZE = 64 * 1024;

  /** The least output asked of zlib per step when a caller wants only a few bytes. */
  private static final int MIN_STEP = 4 * 1024;

  private static final int POOL_SIZE = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  private static final ArrayBlockingQueue<Engine> POOL = new ArrayBlockingQueue<>(POOL_SIZE);
  private static final Cleaner CLEANER = Cleaner.create();

  private CheckpointInflater() {}

  /**
   * Inflates from the checkpoint and writes exactly {@code length} uncompressed bytes to {@code
   * out}, or throws. Reads {@code compressedFromReadStart} (which must start at {@code
   * cp.compressedReadStart()}) only as far as needed, in chunks of up to 64 KiB; closes neither
   * stream.
   *
   * @throws EOFException if the compressed input, or the gzip stream, ends before {@code length}
   *     bytes
   */
  public static void inflate(
      Checkpoint cp, InputStream compressedFromReadStart, long length, OutputStream out)
      throws IOException {
    if (length < 0) {
      throw new IllegalArgumentException("negative length " + length);
    }
    try (Uncompressed u = new Uncompressed(cp, compressedFromReadStart, false)) {
      u.transferExactly(length, out);
    }
  }

  /**
   * The uncompressed bytes from the checkpoint to the end of the gzip stream (the end of the last
   * member), as a stream that inflates only as much as is read (or skipped): a caller may stop
   * early. Reading past what {@code compressedFromReadStart} holds throws {@link EOFException}.
   * Closing the returned stream closes {@code compressedFromReadStart}. Not thread-safe.
   */
  public static InputStream open(Checkpoint cp, InputStream compressedFromReadStart)
      throws IOException {
    return new Uncompressed(cp, compressedFromReadStart, true);
  }

  private enum State {
    /** Inflating a member's deflate data. */
    MEMBER,
    /** Skipping a member's trailer. */
    TRAILER,
    /** After a member: another one, or the end. */
    BETWEEN,
    /** Parsing the next member's header. */
    HEADER,
    DONE
  }

  private static final class Uncompressed extends InputStream {
    private final Checkpoint cp;
    private final InputStream in;
    private final boolean closeInput;
    private Engine engine;
    private final MemorySegment strm;

    private final ZInput input;
    private State state = State.MEMBER;
    private int trailerLeft;

    /** Uncompressed bytes produced since the checkpoint. */
    private long produced;

    /** Produced bytes in the output buffer not yet handed out: [outPos, outLimit). */
    private int outPos;

    private int outLimit;

    Uncompressed(Checkpoint cp, InputStream in, boolean closeInput) throws IOException {
      this.cp = Objects.requireNonNull(cp, "checkpoint");
      this.in = Objects.requireNonNull(in, "compressed input");
      this.closeInput = closeInput;
      Zlib.requireAvailable();
      engine = Engine.acquire();
      strm = engine.strm;
      input = engine.input;
      try {
        start();
      } catch (IOException | RuntimeException | Error e) {
        release();
        throw e;
      }
    }

    private void start() throws IOException {
      check(Zlib.inflateReset2(strm, Zlib.RAW), "inflateReset2");
      int windowLength = cp.windowLength();
      if (windowLength > 0) {
        byte[] window = cp.window();
        if (windowLength > Zlib.WINDOW_SIZE || window.length > OUT_SIZE) {
          throw new ZipException(
              "corrupt checkpoint at uncompressed offset "
                  + cp.uncompressedOffset()
                  + ": window of "
                  + windowLength
                  + " bytes ("
                  + window.length
                  + " deflated)");
        }
        // The output buffer is free until the first read: the deflated window goes there.
        MemorySegment.copy(window, 0, engine.out, JAVA_BYTE, 0, window.length);
        Zlib.setInput(strm, engine.out, 0, window.length);
        Zlib.setOutput(strm, engine.dict, 0, windowLength);
        int ret = Zlib.inflate(strm, Zlib.Z_FINISH);
        if (ret != Zlib.Z_STREAM_END || Zlib.availOut(strm) != 0 || Zlib.availIn(strm) != 0) {
          throw new ZipException(
              "corrupt window in checkpoint at uncompressed offset "
                  + cp.uncompressedOffset()
                  + ": "
                  + (ret == Zlib.Z_STREAM_END
                      ? "does not inflate to " + windowLength + " bytes"
                      : Zlib.describe(strm, ret)));
        }
        check(Zlib.inflateReset2(strm, Zlib.RAW), "inflateReset2");
        check(Zlib.inflateSetDictionary(strm, engine.dict, windowLength), "inflateSetDictionary");
      }
      input.reset(in);
      int bits = cp.bits();
      if (bits > 0) {
        if (!input.fill(1)) {
          throw truncated();
        }
        int first = input.array()[input.position()] & 0xff;
        check(Zlib.inflatePrime(strm, bits, first >> (8 - bits)), "inflatePrime");
        input.consume(1);
      }
    }

    @Override
    public int read() throws IOException {
      ensureOpen();
      if (outPos == outLimit && !produce(1)) {
        return -1;
      }
      return engine.out.get(JAVA_BYTE, outPos++) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      ensureOpen();
      if (len == 0) {
        return 0;
      }
      if (outPos == outLimit && !produce(len)) {
        return -1;
      }
      int n = Math.min(len, outLimit - outPos);
      MemorySegment.copy(engine.out, JAVA_BYTE, outPos, b, off, n);
      outPos += n;
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      ensureOpen();
      long skipped = 0;
      while (skipped < n) {
        if (outPos == outLimit && !produce(n - skipped)) {
          break;
        }
        int k = (int) Math.min(n - skipped, outLimit - outPos);
        outPos += k;
        skipped += k;
      }
      return skipped;
    }

    @Override
    public int available() {
      return engine == null ? 0 : outLimit - outPos;
    }

    void transferExactly(long length, OutputStream out) throws IOException {
      byte[] buf = engine.outArr;
      long left = length;
      while (left > 0) {
        if (outPos == outLimit && !produce(left)) {
          throw new EOFException(
              "gzip stream ended "
                  + left
                  + " bytes short of the "
                  + length
                  + " requested from the checkpoint at uncompressed offset "
                  + cp.uncompressedOffset());
        }
        int n = (int) Math.min(outLimit - outPos, left);
        MemorySegment.copy(engine.out, JAVA_BYTE, outPos, buf, 0, n);
        outPos += n;
        left -= n;
        out.write(buf, 0, n);
      }
    }

    /**
     * Inflates at most {@code want} (but at least a few KiB, if the data has them) more bytes into
     * the output buffer; false at the end of the gzip stream.
     */
    private boolean produce(long want) throws IOException {
      int room = (int) Math.max(MIN_STEP, Math.min(OUT_SIZE, want));
      Zlib.setOutput(strm, engine.out, 0, room);
      outPos = 0;
      outLimit = 0;
      while (Zlib.availOut(strm) == room) {
        switch (state) {
          case MEMBER -> {
            if (input.available() == 0 && !input.fill(1)) {
              throw truncated();
            }
            int ret = Zlib.inflate(strm, Zlib.Z_NO_FLUSH);
            if (ret == Zlib.Z_STREAM_END) {
              state = State.TRAILER;
              trailerLeft = 8;
            } else if (ret != Zlib.Z_OK) {
              throw corrupt(Zlib.describe(strm, ret));
            }
          }
          case TRAILER -> {
            // Not checked: the CRC covers the whole member, and the read started inside it
            // (the span's digest covers what is served).
            if (input.available() == 0 && !input.fill(1)) {
              throw truncated();
            }
            int k = Math.min(trailerLeft, input.available());
            input.consume(k);
            trailerLeft -= k;
            if (trailerLeft == 0) {
              state = State.BETWEEN;
            }
          }
          case BETWEEN -> {
            if (input.fill(2) && input.atGzipMagic()) {
              engine.header.reset();
              state = State.HEADER;
            } else {
              state = State.DONE; // the end, or trailing bytes that are not gzip
            }
          }
          case HEADER -> {
            if (input.available() == 0 && !input.fill(1)) {
              throw truncated();
            }
            int k;
            try {
              k = engine.header.feed(input.array(), input.position(), input.available());
            } catch (ZipException e) {
              throw corrupt(e.getMessage());
            }
            input.consume(k);
            if (engine.header.isDone()) {
              check(Zlib.inflateReset(strm), "inflateReset");
              state = State.MEMBER;
            }
          }
          case DONE -> {
            return false;
          }
        }
      }
      outLimit = room - Zlib.availOut(strm);
      produced += outLimit;
      return true;
    }

    private void ensureOpen() throws IOException {
      if (engine == null) {
        throw new IOException("stream closed");
      }
    }

    private long blobOffset() {
      return cp.compressedReadStart() + input.offset();
    }

    private EOFException truncated() {
      return new EOFException(
          "compressed input ended at blob offset "
              + blobOffset()
              + ", inside a gzip member, at least "
              + produced
              + " uncompressed bytes after the checkpoint at uncompressed offset "
              + cp.uncompressedOffset());
    }

    private ZipException corrupt(String what) {
      return new ZipException(
          "corrupt gzip data near blob offset "
              + blobOffset()
              + " (from the checkpoint at uncompressed offset "
              + cp.uncompressedOffset()
              + "): "
              + what);
    }

    private void check(int ret, String what) throws IOException {
      if (ret != Zlib.Z_OK) {
        throw new IOException(what + " failed: " + Zlib.describe(strm, ret));
      }
    }

    private void release() {
      Engine e = engine;
      if (e != null) {
        engine = null;
        Engine.release(e);
      }
    }

    @Override
    public void close() throws IOException {
      release();
      if (closeInput) {
        in.close();
      }
    }
  }

  /** One z_stream with its buffers: pooled, used by one stream at a time. */
  private static final class Engine {
    final MemorySegment strm;
    final ZInput input;
    final MemorySegment out;
    final MemorySegment dict;
    final byte[] outArr = new byte[OUT_SIZE];
    final GzipHeader header = new GzipHeader();
    private final Cleaner.Cleanable cleanable;

    private Engine() {
      // Auto arena: the pool hands engines between threads, and nothing is closed on a hot path.
      Arena arena = Arena.ofAuto();
      strm = Zlib.newStream(arena);
      input = new ZInput(strm, arena.allocate(IN_SIZE, 64), new byte[IN_SIZE]);
      out = arena.allocate(OUT_SIZE, 64);
      dict = arena.allocate(Zlib.WINDOW_SIZE, 64);
      int ret = Zlib.inflateInit2(strm, Zlib.RAW);
      if (ret != Zlib.Z_OK) {
        throw new IllegalStateException("inflateInit2 failed: " + Zlib.describe(strm, ret));
      }
      cleanable = CLEANER.register(this, new End(strm));
    }

    static Engine acquire() {
      Engine e = POOL.poll();
      return e != null ? e : new Engine();
    }

    static void release(Engine e) {
      if (!POOL.offer(e)) {
        e.cleanable.clean();
      }
    }
  }

  /** Frees zlib's state; the segments themselves go with their auto arena. */
  private record End(MemorySegment strm) implements Runnable {
    @Override
    public void run() {
      Zlib.inflateEnd(strm);
    }
  }
}
