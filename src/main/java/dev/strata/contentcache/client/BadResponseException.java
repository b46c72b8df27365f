package dev.strata.contentcache.client;

/** A server answered something it must not (a range of the wrong length): a failure of it. */
final class BadResponseException extends Exception {
  private static final long serialVersionUID = 1L;

  BadResponseException(String message) {
    super(message);
  }
}
