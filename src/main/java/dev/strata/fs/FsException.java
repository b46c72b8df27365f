package dev.strata.fs;

/** A filesystem call failed with {@code errno}; the binding returns {@code -errno}. */
public final class FsException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int errno;

  public FsException(int errno, String message) {
    super(message, null, false, false); // cheap: ENOENT is common on lookups
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }
}
