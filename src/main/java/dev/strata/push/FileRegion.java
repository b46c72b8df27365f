package dev.strata.push;

import dev.strata.registry.BlobContent;
import dev.strata.registry.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/** A byte range of a local file (a blob file, or a member of a tar) as blob content. */
record FileRegion(Path file, long start, long size) implements BlobContent {

  @Override
  public InputStream open(long offset, long length) throws IOException {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new IllegalArgumentException(
          "range " + offset + "+" + length + " outside " + size + " bytes of " + file);
    }
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    channel.position(start + offset);
    InputStream in = Channels.newInputStream(channel);
    return new java.io.FilterInputStream(in) {
      private long remaining = length;

      @Override
      public int read() throws IOException {
        if (remaining <= 0) {
          return -1;
        }
        int b = super.read();
        if (b >= 0) {
          remaining--;
        }
        return b;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
          return -1;
        }
        int n = super.read(b, off, (int) Math.min(len, remaining));
        if (n > 0) {
          remaining -= n;
        }
        return n;
      }
    };
  }

  /** The first bytes, to recognize a compression format by its magic number. */
  byte[] head(int n) throws IOException {
    try (InputStream in = open(0, Math.min(n, size))) {
      return in.readAllBytes();
    }
  }

  Digest sha256() throws IOException {
    MessageDigest hasher = Digest.newSha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = open(0, size)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        hasher.update(buffer, 0, n);
      }
    }
    return new Digest("sha256", java.util.HexFormat.of().formatHex(hasher.digest()));
  }
}
