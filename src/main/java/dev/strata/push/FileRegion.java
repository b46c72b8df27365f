package dev.strata.push;

import dev.strata.registry.BlobContent;
import dev.strata.registry.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;

/** A byte range of a local file (a blob file, or a member of a tar) as blob content. */
record FileRegion(Path file, long start, long size) implements BlobContent {

  @Override
  public InputStream open(long offset, long length) throws IOException {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new IllegalArgumentException(
          "range " + offset + "+" + length + " outside " + size + " bytes of " + file);
    }
    return dev.strata.io.FileRanges.open(file, start + offset, length);
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
