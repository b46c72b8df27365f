package dev.strata.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes bytes through while hashing them and, at end of stream, fails with {@link
 * DigestMismatchException} unless they hash to the expected digest (and, when known, have the
 * expected size). A reader must not trust what it read until it has seen end of stream.
 */
public final class VerifyingInputStream extends FilterInputStream {
  private final Digest expected;
  private final long expectedSize;
  private final String what;
  private final MessageDigest hasher;
  private long count;
  private boolean verified;

  /**
   * @param expectedSize the size the content must have, or -1 when unknown
   * @param what names the content in error messages
   */
  public VerifyingInputStream(InputStream in, Digest expected, long expectedSize, String what) {
    super(in);
    this.expected = expected;
    this.expectedSize = expectedSize;
    this.what = what;
    this.hasher = expected.newHasher();
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n < 0) {
      verify();
      return -1;
    }
    hasher.update(b, off, n);
    count += n;
    if (expectedSize >= 0 && count > expectedSize) {
      throw new RegistryException(what + ": more than the expected " + expectedSize + " bytes");
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipped bytes must be hashed too.
    byte[] buffer = new byte[(int) Math.min(n, 8192)];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void verify() throws IOException {
    if (verified) {
      return;
    }
    verified = true;
    Digest actual = expected.sameAlgorithm(hasher);
    if (!actual.equals(expected)) {
      throw new DigestMismatchException(what, expected, actual);
    }
    if (expectedSize >= 0 && count != expectedSize) {
      throw new RegistryException(
          what + ": expected " + expectedSize + " bytes but the content has " + count);
    }
  }
}
