package dev.strata.registry;

import java.io.IOException;
import java.io.InputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the byte range {@code [start, end)} of a blob and, when the connection breaks or the body
 * ends early, continues from the last byte received with a new ranged request instead of starting
 * over. A {@link RegistryException} (the registry answered, after its own retries) is not resumed:
 * asking again would not change the answer.
 */
final class ResumingInputStream extends InputStream {
  private static final Logger log = LoggerFactory.getLogger(ResumingInputStream.class);

  /** Opens the blob at an absolute position; the stream must start exactly there. */
  @FunctionalInterface
  interface Opener {
    InputStream openAt(long position) throws IOException;
  }

  private final Opener opener;
  private final long end;
  private final int maxResumes;
  private final String what;
  private InputStream current;
  private long position;
  private int resumes;

  /**
   * @param end the exclusive end, or -1 when the size is unknown (then end of stream is trusted)
   */
  ResumingInputStream(Opener opener, long start, long end, int maxResumes, String what) {
    this.opener = opener;
    this.position = start;
    this.end = end;
    this.maxResumes = maxResumes;
    this.what = what;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (true) {
      if (end >= 0 && position >= end) {
        return -1;
      }
      int want = end >= 0 ? (int) Math.min(len, end - position) : len;
      IOException failure;
      try {
        if (current == null) {
          current = opener.openAt(position);
        }
        int n = current.read(b, off, want);
        if (n > 0) {
          position += n;
          return n;
        }
        if (n < 0 && end < 0) {
          return -1;
        }
        failure = new IOException("body ended at byte " + position + " of " + end);
      } catch (RegistryException e) {
        // the registry answered (after its own retries): resuming would not change the answer
        throw e;
      } catch (IOException e) {
        failure = e;
      }
      closeCurrent();
      if (resumes >= maxResumes) {
        throw new RegistryException(
            what
                + ": transfer failed at byte "
                + position
                + " after "
                + resumes
                + " resumes: "
                + failure.getMessage(),
            failure);
      }
      resumes++;
      log.info("{}: resuming at byte {} ({})", what, position, failure.getMessage());
    }
  }

  private void closeCurrent() {
    if (current != null) {
      try {
        current.close();
      } catch (IOException ignored) {
        // the connection is already broken
      }
      current = null;
    }
  }

  @Override
  public void close() {
    closeCurrent();
  }
}
