package dev.strata.contentcache.server;

import dev.strata.registry.Digest;

/** The ContentCache names content by sha256 only: {@code sha256:} and 64 lowercase hex digits. */
final class ContentHashes {
  private ContentHashes() {}

  /** Parses a content hash; throws {@link IllegalArgumentException} naming the input. */
  static Digest parse(String text) {
    Digest digest = Digest.parse(text);
    if (!digest.algorithm().equals("sha256")) {
      throw new IllegalArgumentException(
          "content hash '" + text + "' is not sha256 (expected sha256:<64 hex>)");
    }
    return digest;
  }
}
