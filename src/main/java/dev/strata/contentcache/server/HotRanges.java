package dev.strata.contentcache.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.strata.registry.Digest;
import java.util.Optional;

/**
 * Recently served ranges in memory, bounded by bytes. Keys are exact ranges: clients read spans,
 * whose boundaries come from the layer index and are the same on every node, so the second node
 * asking for a span asks for the very same range. Ranges above {@link #MAX_RANGE} bypass it (they
 * stream from disk without being held whole). Cached arrays are never modified after insertion.
 */
final class HotRanges {
  /** The largest range kept in memory (a span is ~2 MiB, a gap between checkpoints up to ~4). */
  static final int MAX_RANGE = 8 << 20;

  record Key(Digest hash, long offset, long length) {}

  private final Cache<Key, byte[]> cache; // null when disabled

  HotRanges(long maxBytes) {
    this.cache =
        maxBytes <= 0
            ? null
            : Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .<Key, byte[]>weigher((key, bytes) -> bytes.length)
                .build();
  }

  /** Whether a range of this length is worth reading whole and keeping. */
  boolean keeps(long length) {
    return cache != null && length <= MAX_RANGE;
  }

  Optional<byte[]> get(Key key) {
    return cache == null ? Optional.empty() : Optional.ofNullable(cache.getIfPresent(key));
  }

  void put(Key key, byte[] bytes) {
    if (cache != null) {
      cache.put(key, bytes);
    }
  }
}
