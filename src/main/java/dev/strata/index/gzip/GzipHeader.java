package dev.strata.index.gzip;

import java.util.zip.CRC32;
import java.util.zip.ZipException;

/**
 * Parses a gzip member header (RFC 1952: magic, method, flags, mtime, XFL, OS, then FEXTRA, FNAME,
 * FCOMMENT and FHCRC as flagged) fed in pieces of any size, so the deflate data after it can be
 * inflated raw. Checks what zlib checks: the magic, method 8, no reserved flags, the header CRC
 * when present. Not thread-safe; reusable through {@link #reset()}.
 */
final class GzipHeader {
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;
  private static final int RESERVED = 0xE0;

  private enum Part {
    FIXED,
    XLEN,
    EXTRA,
    NAME,
    COMMENT,
    HCRC,
    DONE
  }

  private final CRC32 crc = new CRC32();
  private final byte[] fixed = new byte[10];
  private Part part;
  private int flags;

  /** Bytes of the current fixed-size part still to come (FIXED, XLEN, EXTRA, HCRC). */
  private int left;

  /** The little-endian value being read for XLEN and HCRC. */
  private int value;

  GzipHeader() {
    reset();
  }

  void reset() {
    crc.reset();
    part = Part.FIXED;
    left = fixed.length;
    flags = 0;
    value = 0;
  }

  boolean isDone() {
    return part == Part.DONE;
  }

  /**
   * Consumes header bytes from {@code b[off, off+len)}; returns how many (fewer than {@code len}
   * only when the header is complete).
   */
  int feed(byte[] b, int off, int len) throws ZipException {
    int p = off;
    int end = off + len;
    while (p < end && part != Part.DONE) {
      switch (part) {
        case FIXED -> {
          int k = Math.min(left, end - p);
          System.arraycopy(b, p, fixed, fixed.length - left, k);
          crc.update(b, p, k);
          p += k;
          left -= k;
          if (left == 0) {
            checkFixed();
            next(Part.XLEN);
          }
        }
        case XLEN, HCRC -> {
          value |= (b[p] & 0xff) << (8 * (2 - left));
          if (part == Part.XLEN) {
            crc.update(b[p]);
          }
          p++;
          left--;
          if (left == 0) {
            if (part == Part.XLEN) {
              left = value;
              part = Part.EXTRA;
              if (left == 0) {
                next(Part.NAME);
              }
            } else {
              if (value != ((int) crc.getValue() & 0xffff)) {
                throw new ZipException("header crc mismatch");
              }
              part = Part.DONE;
            }
          }
        }
        case EXTRA -> {
          int k = Math.min(left, end - p);
          crc.update(b, p, k);
          p += k;
          left -= k;
          if (left == 0) {
            next(Part.NAME);
          }
        }
        case NAME, COMMENT -> {
          int start = p;
          while (p < end && b[p] != 0) {
            p++;
          }
          boolean terminated = p < end;
          if (terminated) {
            p++;
          }
          crc.update(b, start, p - start);
          if (terminated) {
            next(part == Part.NAME ? Part.COMMENT : Part.HCRC);
          }
        }
        case DONE -> throw new IllegalStateException();
      }
    }
    return p - off;
  }

  private void checkFixed() throws ZipException {
    if (fixed[0] != (byte) 0x1f || fixed[1] != (byte) 0x8b) {
      throw new ZipException("incorrect header check (no gzip magic)");
    }
    if (fixed[2] != 8) {
      throw new ZipException("unknown compression method " + (fixed[2] & 0xff));
    }
    flags = fixed[3] & 0xff;
    if ((flags & RESERVED) != 0) {
      throw new ZipException("unknown header flags set");
    }
  }

  /** Moves to the first part from {@code candidate} on that the flags ask for. */
  private void next(Part candidate) {
    Part p = candidate;
    while (true) {
      switch (p) {
        case XLEN -> {
          if ((flags & FEXTRA) != 0) {
            part = Part.XLEN;
            left = 2;
            value = 0;
            return;
          }
          p = Part.NAME;
        }
        case NAME -> {
          if ((flags & FNAME) != 0) {
            part = Part.NAME;
            return;
          }
          p = Part.COMMENT;
        }
        case COMMENT -> {
          if ((flags & FCOMMENT) != 0) {
            part = Part.COMMENT;
            return;
          }
          p = Part.HCRC;
        }
        case HCRC -> {
          if ((flags & FHCRC) != 0) {
            part = Part.HCRC;
            left = 2;
            value = 0;
            return;
          }
          part = Part.DONE;
          return;
        }
        default -> throw new IllegalStateException(p.toString());
      }
    }
  }
}
