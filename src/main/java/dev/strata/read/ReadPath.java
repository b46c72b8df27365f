package dev.strata.read;

import dev.strata.index.LayerIndex;
import dev.strata.registry.RegistryClient;
import dev.strata.registry.Repository;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The one place the order of the tiers is decided: memory, then the local disk cache, then the
 * registry. (The cluster ContentCache slots in between disk and registry.)
 */
public final class ReadPath {
  private ReadPath() {}

  /**
   * @param cacheDir the node's span cache, shared by every mount and {@code get}
   */
  public static ImageContent forImage(
      RegistryClient client,
      Repository repository,
      List<LayerIndex> layers,
      Path cacheDir,
      long cacheMaxBytes,
      long memoryBytes)
      throws IOException {
    List<SpanTier> tiers =
        List.of(
            new MemorySpanTier(memoryBytes),
            new DiskSpanTier(cacheDir, cacheMaxBytes),
            BlobSpanTier.registry(client, repository));
    return new ImageContent(layers, new TieredSpans(tiers));
  }
}
