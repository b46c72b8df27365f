package dev.strata.fs;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** The errno a filesystem call fails with. */
final class Errnos {
  private Errnos() {}

  static int errno(ThrowingCallable call) {
    try {
      call.call();
    } catch (FsException e) {
      return e.errno();
    } catch (Throwable t) {
      throw new AssertionError("expected an FsException", t);
    }
    throw new AssertionError("expected an FsException, the call succeeded");
  }
}
