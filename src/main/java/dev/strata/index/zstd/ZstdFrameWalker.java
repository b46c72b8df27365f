package dev.strata.index.zstd;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes the bytes of one zstd frame at a time through, walking the frame format (RFC 8878: header,
 * block headers with their sizes, optional checksum) without decompressing, so that the end of each
 * frame is known and frame starts can become checkpoints. {@link #read} returns end of stream at
 * the end of the current frame; {@link #nextFrame} moves on.
 */
final class ZstdFrameWalker extends InputStream {
  private static final int MAGIC = 0xFD2FB528;

  private enum Next {
    BLOCK_HEADER,
    CHECKSUM,
    FRAME_END
  }

  private final InputStream source;
  private final byte[] pending = new byte[18];
  private int pendingLength;
  private int pendingPosition;
  private long passThrough;
  private Next next = Next.FRAME_END;
  private boolean checksum;
  private long consumed;

  ZstdFrameWalker(InputStream source) {
    this.source = source;
  }

  /** Bytes of the compressed stream consumed so far. */
  long consumed() {
    return consumed;
  }

  /**
   * Starts the next frame; false at the end of the stream.
   *
   * @throws IOException when what follows is not a zstd frame
   */
  boolean nextFrame() throws IOException {
    pendingLength = 0;
    pendingPosition = 0;
    int first = source.read();
    if (first < 0) {
      return false;
    }
    consumed++;
    pending[0] = (byte) first;
    readFully(pending, 1, 3);
    int magic =
        (pending[0] & 0xff)
            | (pending[1] & 0xff) << 8
            | (pending[2] & 0xff) << 16
            | (pending[3] & 0xff) << 24;
    if ((magic & 0xFFFFFFF0) == 0x184D2A50) {
      readFully(pending, 4, 4);
      passThrough =
          ((pending[4] & 0xffL)
              | (pending[5] & 0xffL) << 8
              | (pending[6] & 0xffL) << 16
              | (pending[7] & 0xffL) << 24);
      pendingLength = 8;
      next = Next.FRAME_END;
      return true;
    }
    if (magic != MAGIC) {
      throw new IOException(
          String.format("not a zstd frame at byte %d (magic 0x%08x)", consumed, magic));
    }
    readFully(pending, 4, 1);
    int descriptor = pending[4] & 0xff;
    int fcsFlag = descriptor >>> 6;
    boolean singleSegment = (descriptor & 0x20) != 0;
    checksum = (descriptor & 0x04) != 0;
    int didSize = new int[] {0, 1, 2, 4}[descriptor & 0x03];
    int fcsSize = new int[] {singleSegment ? 1 : 0, 2, 4, 8}[fcsFlag];
    int rest = (singleSegment ? 0 : 1) + didSize + fcsSize;
    readFully(pending, 5, rest);
    pendingLength = 5 + rest;
    passThrough = 0;
    next = Next.BLOCK_HEADER;
    return true;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    while (true) {
      if (pendingPosition < pendingLength) {
        int n = Math.min(length, pendingLength - pendingPosition);
        System.arraycopy(pending, pendingPosition, buffer, offset, n);
        pendingPosition += n;
        return n;
      }
      if (passThrough > 0) {
        int n = source.read(buffer, offset, (int) Math.min(length, passThrough));
        if (n < 0) {
          throw new EOFException("zstd stream truncated inside a frame at byte " + consumed);
        }
        passThrough -= n;
        consumed += n;
        return n;
      }
      if (!advance()) {
        return -1;
      }
    }
  }

  /** Reads the next structure header into {@code pending}; false at the end of the frame. */
  private boolean advance() throws IOException {
    pendingLength = 0;
    pendingPosition = 0;
    switch (next) {
      case BLOCK_HEADER -> {
        readFully(pending, 0, 3);
        int header = (pending[0] & 0xff) | (pending[1] & 0xff) << 8 | (pending[2] & 0xff) << 16;
        boolean last = (header & 1) != 0;
        int type = (header >>> 1) & 3;
        int size = header >>> 3;
        if (type == 3) {
          throw new IOException("corrupt zstd stream: reserved block type at byte " + consumed);
        }
        pendingLength = 3;
        passThrough = type == 1 ? 1 : size;
        next = last ? (checksum ? Next.CHECKSUM : Next.FRAME_END) : Next.BLOCK_HEADER;
        return true;
      }
      case CHECKSUM -> {
        passThrough = 4;
        next = Next.FRAME_END;
        return true;
      }
      case FRAME_END -> {
        return false;
      }
    }
    throw new IllegalStateException("unreachable");
  }

  /** Reads header bytes from the source; they are counted as consumed. */
  private void readFully(byte[] buffer, int offset, int length) throws IOException {
    int done = 0;
    while (done < length) {
      int n = source.read(buffer, offset + done, length - done);
      if (n < 0) {
        throw new EOFException("zstd stream truncated in a header at byte " + consumed);
      }
      done += n;
    }
    consumed += length;
  }
}
