package dev.strata.read;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.strata.index.LayerIndex;
import dev.strata.metrics.StrataMetrics;
import java.util.Optional;

/** Tier 1a: hot spans in memory, bounded by bytes (Caffeine, W-TinyLFU eviction). */
public final class MemorySpanTier implements SpanTier {
  private record Key(String layer, int span) {}

  private final Cache<Key, byte[]> cache;

  public MemorySpanTier(long maxBytes) {
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((Key k, byte[] v) -> v.length)
            .executor(Runnable::run) // removals reported at once, so the byte gauge is current
            .removalListener((Key k, byte[] v, RemovalCause cause) -> removed(v, cause))
            .build();
  }

  private static void removed(byte[] bytes, RemovalCause cause) {
    StrataMetrics.global().cacheBytesChanged("memory", bytes == null ? 0 : -bytes.length);
    if (cause.wasEvicted()) {
      StrataMetrics.global().cacheEviction("memory");
    }
  }

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public Optional<byte[]> get(LayerIndex index, int span) {
    return Optional.ofNullable(cache.getIfPresent(new Key(index.layerDigest().hex(), span)));
  }

  @Override
  public void put(LayerIndex index, int span, byte[] bytes) {
    cache.put(new Key(index.layerDigest().hex(), span), bytes);
    StrataMetrics.global().cacheBytesChanged("memory", bytes.length);
  }

  @Override
  public boolean holdsVerifiedCopies() {
    return true; // only verified spans are put here, and memory does not rot
  }

  @Override
  public void evict(LayerIndex index, int span) {
    cache.invalidate(new Key(index.layerDigest().hex(), span));
  }
}
