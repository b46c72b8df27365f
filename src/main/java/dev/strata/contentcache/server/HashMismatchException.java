package dev.strata.contentcache.server;

import dev.strata.registry.Digest;

/** Stored bytes did not hash to the hash the client announced (FAILED_PRECONDITION). */
public final class HashMismatchException extends Exception {
  private static final long serialVersionUID = 1L;

  public HashMismatchException(Digest expected, Digest actual) {
    super("content hashed to " + actual + ", expected " + expected + "; nothing was kept");
  }
}
