package dev.strata.read;

import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.index.LayerIndex;
import dev.strata.registry.RegistryClient;
import dev.strata.registry.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one place the order of the tiers is decided: memory, then the local disk cache, then the
 * cluster ContentCache (when the node has one), then the registry.
 */
public final class ReadPath {
  private ReadPath() {}

  /**
   * @param cacheDir the node's span cache, shared by every mount and {@code get}
   * @param contentCache the cluster's ContentCache; empty turns tier 2 off
   */
  public static ImageContent forImage(
      RegistryClient client,
      Repository repository,
      List<LayerIndex> layers,
      Path cacheDir,
      long cacheMaxBytes,
      long memoryBytes,
      Optional<ContentCacheClient> contentCache)
      throws IOException {
    List<SpanTier> tiers = new ArrayList<>();
    tiers.add(new MemorySpanTier(memoryBytes));
    tiers.add(new DiskSpanTier(cacheDir, cacheMaxBytes));
    contentCache.ifPresent(cache -> tiers.add(new ContentCacheSpanTier(cache)));
    tiers.add(BlobSpanTier.registry(client, repository));
    return new ImageContent(layers, new TieredSpans(tiers));
  }

  /** The read path of a node without a ContentCache. */
  public static ImageContent forImage(
      RegistryClient client,
      Repository repository,
      List<LayerIndex> layers,
      Path cacheDir,
      long cacheMaxBytes,
      long memoryBytes)
      throws IOException {
    return forImage(
        client, repository, layers, cacheDir, cacheMaxBytes, memoryBytes, Optional.empty());
  }
}
