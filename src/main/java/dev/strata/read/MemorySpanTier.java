package dev.strata.read;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.strata.index.LayerIndex;
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
            .build();
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
