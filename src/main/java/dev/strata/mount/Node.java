package dev.strata.mount;

import dev.strata.cachewriter.ClusterIndexes;
import dev.strata.cachewriter.NodeIdentity;
import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.fuse.FuseBinding;
import dev.strata.history.HistoryDb;
import dev.strata.history.LayerRecord;
import dev.strata.index.ImageIndexer;
import dev.strata.index.IndexSharing;
import dev.strata.index.IndexStore;
import dev.strata.index.LayerIndex;
import dev.strata.index.LayerIndexer;
import dev.strata.read.DiskSpanTier;
import dev.strata.read.ImageContent;
import dev.strata.read.ReadPath;
import dev.strata.registry.ImageManifest;
import dev.strata.registry.ImageRef;
import dev.strata.registry.LayerDescriptor;
import dev.strata.registry.Platform;
import dev.strata.registry.RegistryClient;
import dev.strata.registry.RegistryException;
import dev.strata.registry.RegistryResponseException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every image operation on this node shares, and the one place a mount is composed from it:
 * the state directory (indexes, remembered manifests, history), the span cache and its bounds, the
 * platform, how registry clients are made, and the cluster ContentCache when there is one. The CLI
 * ({@code index}, {@code ls}, {@code get}, {@code mount}) and the daemon both work through it.
 *
 * <p>The node does not own {@code contentCache}: whoever built it closes it. Registry clients made
 * by {@code registries} are owned by the caller that asked for one, except the serving client of a
 * mount, which {@link #mount} makes and the mount closes.
 *
 * @param memoryCacheBytes bound of the hot-span tier of each mount
 * @param registries makes a registry client (its config cache backed by the ContentCache)
 */
public record Node(
    Path stateDir,
    Path cacheDir,
    long cacheMaxBytes,
    long memoryCacheBytes,
    Platform platform,
    Supplier<RegistryClient> registries,
    Optional<ContentCacheClient> contentCache) {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  /** How long to wait for another node that is indexing a layer before indexing it here. */
  public static final Duration SHARED_BUILD_WAIT = Duration.ofMinutes(10);

  /**
   * Resolves {@code ref} for this node's platform and remembers the answer. When the registry is
   * unreachable (no connection, 5xx, 429) and the reference was resolved before, the remembered
   * manifest is used, with a warning: the indexes and spans it needs may be cached locally.
   */
  public ImageManifest resolve(RegistryClient client, ImageRef ref) throws IOException {
    ResolvedManifests remembered = new ResolvedManifests(stateDir);
    try {
      ImageManifest manifest = client.resolve(ref, platform);
      remembered.remember(ref, platform, manifest, Instant.now());
      return manifest;
    } catch (RegistryException e) {
      if (!unreachable(e)) {
        throw e;
      }
      Optional<ResolvedManifests.Entry> last = remembered.find(ref, platform);
      if (last.isEmpty()) {
        throw e;
      }
      log.warn(
          "the registry is unreachable ({}); using the manifest of {} cached at {}: {}",
          e.getMessage(),
          ref,
          last.get().resolvedAt(),
          last.get().manifest().manifestDigest());
      return last.get().manifest();
    }
  }

  /** Whether resolving failed because the registry could not answer, not because it said no. */
  static boolean unreachable(RegistryException e) {
    if (e instanceof RegistryResponseException r) {
      return r.status() >= 500 || r.status() == 429 || r.status() == 408;
    }
    return e.getCause() instanceof IOException;
  }

  /**
   * Makes sure every layer has an index (local store → ContentCache → built by streaming the blob
   * once, keeping every span the pass decompresses in the span cache), and records each layer in
   * the history.
   *
   * @param progress hears the compressed bytes streamed so far, all layers together
   */
  public List<ImageIndexer.LayerResult> index(
      RegistryClient client, ImageManifest manifest, long spanSize, LongConsumer progress)
      throws IOException {
    IndexStore store = new IndexStore(stateDir);
    DiskSpanTier spanCache = new DiskSpanTier(cacheDir, cacheMaxBytes);
    IndexSharing sharing =
        contentCache
            .<IndexSharing>map(
                cache -> new ClusterIndexes(cache, NodeIdentity.current(), SHARED_BUILD_WAIT))
            .orElse(IndexSharing.NONE);
    ImageIndexer indexer = new ImageIndexer(client, store, spanSize, 2, sharing);
    AtomicLong done = new AtomicLong();
    List<ImageIndexer.LayerResult> results =
        indexer.ensure(manifest, new KeepSpans(spanCache, done, progress));
    try (HistoryDb history = HistoryDb.open(stateDir)) {
      Instant now = Instant.now();
      for (ImageIndexer.LayerResult r : results) {
        history.record(
            LayerRecord.of(manifest.ref(), r.layer(), now)
                .withIndexStats(r.index().entries().size(), r.index().spanCount(), r.indexBytes()));
      }
    }
    return results;
  }

  /** Progress of a build, and the spans it decompresses kept in the span cache. */
  private record KeepSpans(DiskSpanTier spanCache, AtomicLong done, LongConsumer progress)
      implements ImageIndexer.Listener {
    @Override
    public LayerIndexer.Observer building(LayerDescriptor layer) {
      return new LayerIndexer.Observer() {
        long seen;

        @Override
        public void compressedProgress(long bytesRead) {
          progress.accept(done.addAndGet(bytesRead - seen));
          seen = bytesRead;
        }

        @Override
        public boolean wantsSpans() {
          return true;
        }

        // The pass decompresses every span anyway: keep them, so that reading after indexing
        // costs the registry nothing more.
        @Override
        public void span(int index, byte[] bytes) throws IOException {
          spanCache.put(layer.digest(), index, bytes);
        }
      };
    }
  }

  /** An image's contents through this node's read path (memory, disk, ContentCache, registry). */
  public ImageContent content(
      RegistryClient client, ImageManifest manifest, List<LayerIndex> indexes, long memoryBytes)
      throws IOException {
    return ReadPath.forImage(
        client,
        manifest.ref().repository(),
        indexes,
        cacheDir,
        cacheMaxBytes,
        memoryBytes,
        contentCache);
  }

  /** How to mount at {@code mountpoint}, with this node's caches. */
  public MountSpec spec(
      Path mountpoint,
      boolean layers,
      boolean allowOther,
      FuseBinding binding,
      MountSpec.Prefetch prefetch) {
    return new MountSpec(
        mountpoint,
        layers,
        allowOther,
        binding,
        cacheDir,
        cacheMaxBytes,
        memoryCacheBytes,
        prefetch);
  }

  /**
   * Mounts an indexed image and returns once the mount answers. The mount reads through a registry
   * client of its own, closed with it; with a ContentCache it runs the cache writer.
   */
  public ImageMount mount(
      ImageManifest manifest, List<ImageIndexer.LayerResult> layers, MountSpec spec)
      throws IOException {
    RegistryClient serving = registries.get();
    try {
      return ImageMount.mount(serving, contentCache, manifest, layers, spec).closing(serving);
    } catch (IOException | RuntimeException e) {
      serving.close();
      throw e;
    }
  }

  /** Resolves, indexes and mounts {@code ref}: what {@code strata mount} and the daemon do. */
  public ImageMount mount(ImageRef ref, MountSpec spec) throws IOException {
    try (RegistryClient client = registries.get()) {
      ImageManifest manifest = resolve(client, ref);
      List<ImageIndexer.LayerResult> indexed =
          index(client, manifest, LayerIndexer.DEFAULT_SPAN_TARGET, bytes -> {});
      return mount(manifest, indexed, spec);
    }
  }
}
