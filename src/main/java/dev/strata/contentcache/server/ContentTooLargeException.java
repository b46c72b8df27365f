package dev.strata.contentcache.server;

/** A content larger than the whole store could ever hold (RESOURCE_EXHAUSTED). */
public final class ContentTooLargeException extends Exception {
  private static final long serialVersionUID = 1L;

  public ContentTooLargeException(long size, long maxBytes) {
    super("content of " + size + " bytes exceeds the store's bound of " + maxBytes + " bytes");
  }
}
