package dev.strata.fuse;

/** Which Java binding of libfuse serves a mount. */
public enum FuseBinding {
  /**
   * jnr-fuse over libfuse 2 ({@code libfuse.so.2}). Reads reach the filesystem in pieces of at most
   * 128 KiB (libfuse 2 does not negotiate larger requests with the kernel).
   */
  JNR,
  /**
   * jfuse over libfuse 3 ({@code libfuse3.so.3}) through the Foreign Function &amp; Memory API.
   * Reads of up to 1 MiB, readdirplus.
   */
  JFUSE;

  /** The faster binding on the machines we measured; what a mount uses unless told otherwise. */
  public static FuseBinding defaultBinding() {
    return JFUSE;
  }
}
