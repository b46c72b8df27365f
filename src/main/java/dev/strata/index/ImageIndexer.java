package dev.strata.index;

import dev.strata.registry.ImageManifest;
import dev.strata.registry.LayerDescriptor;
import dev.strata.registry.RegistryClient;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Makes sure every layer of an image has an index: from the local store, else from the cluster
 * ({@link IndexSharing}), else built by streaming the blob from the registry once — publishing the
 * index and the decompressed layer in the same pass. Layers are indexed concurrently.
 */
public final class ImageIndexer {
  /** What happened for one layer. */
  public record LayerResult(
      LayerDescriptor layer, LayerIndex index, Source source, long indexBytes, Duration elapsed) {
    /** Whether this node built the index (streaming the blob). */
    public boolean built() {
      return source == Source.BUILT;
    }

    /** Compressed bytes per second of the build; 0 when it was found. */
    public double throughput() {
      return built() && !elapsed.isZero() ? layer.size() / (elapsed.toNanos() / 1e9) : 0;
    }
  }

  /** Where a layer's index came from. */
  public enum Source {
    LOCAL,
    SHARED,
    BUILT
  }

  /** Hears about each layer: its build progress and its result. Called from several threads. */
  public interface Listener {
    Listener NONE = new Listener() {};

    default LayerIndexer.Observer building(LayerDescriptor layer) {
      return LayerIndexer.Observer.NONE;
    }

    default void done(LayerResult result) {}
  }

  private final RegistryClient client;
  private final IndexStore store;
  private final LayerIndexer indexer;
  private final int concurrency;
  private final IndexSharing sharing;

  public ImageIndexer(RegistryClient client, IndexStore store, long spanTarget, int concurrency) {
    this(client, store, spanTarget, concurrency, IndexSharing.NONE);
  }

  public ImageIndexer(
      RegistryClient client,
      IndexStore store,
      long spanTarget,
      int concurrency,
      IndexSharing sharing) {
    this.client = client;
    this.store = store;
    this.indexer = new LayerIndexer(spanTarget);
    this.concurrency = concurrency;
    this.sharing = sharing;
  }

  /** The index of every layer, bottom first. */
  public List<LayerResult> ensure(ImageManifest image, Listener listener) throws IOException {
    Semaphore permits = new Semaphore(concurrency);
    List<Future<LayerResult>> futures = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (LayerDescriptor layer : image.layers()) {
        futures.add(
            executor.submit(
                () -> {
                  permits.acquire();
                  try {
                    LayerResult result = ensure(image, layer, listener);
                    listener.done(result);
                    return result;
                  } finally {
                    permits.release();
                  }
                }));
      }
      List<LayerResult> results = new ArrayList<>();
      for (Future<LayerResult> future : futures) {
        try {
          results.add(future.get());
        } catch (ExecutionException e) {
          futures.forEach(f -> f.cancel(true));
          if (e.getCause() instanceof IOException io) {
            throw io;
          }
          throw new IOException(
              "indexing " + image.ref() + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while indexing " + image.ref());
        }
      }
      return results;
    }
  }

  private LayerResult ensure(ImageManifest image, LayerDescriptor layer, Listener listener)
      throws IOException {
    Optional<LayerIndex> stored = store.load(layer.digest());
    if (stored.isPresent() && stored.get().diffId().equals(layer.diffId())) {
      long bytes = java.nio.file.Files.size(store.pathOf(layer.digest()));
      return new LayerResult(layer, stored.get(), Source.LOCAL, bytes, Duration.ZERO);
    }
    Compression.of(layer.mediaType()); // refuse foreign and encrypted layers before any download
    long start = System.nanoTime();
    Optional<LayerIndex> shared = sharing.find(layer);
    if (shared.isPresent()) {
      long bytes = store.save(shared.get());
      return new LayerResult(layer, shared.get(), Source.SHARED, bytes, elapsedSince(start));
    }
    LayerIndex index;
    byte[] encoded;
    try (IndexSharing.Publication publication = sharing.publish(layer);
        InputStream blob =
            client.openBlob(image.ref().repository(), layer.digest(), layer.size())) {
      index =
          indexer.index(
              layer, blob, LayerIndexer.Observer.all(listener.building(layer), publication));
      encoded = LayerIndexCodec.encode(index);
      store.save(index, encoded);
      publication.built(index, encoded);
    }
    return new LayerResult(layer, index, Source.BUILT, encoded.length, elapsedSince(start));
  }

  private static Duration elapsedSince(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
