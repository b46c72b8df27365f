package dev.strata.mount;

import dev.strata.cachewriter.LayerPublisher;
import dev.strata.cachewriter.NodeIdentity;
import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.fs.ImageFileSystem;
import dev.strata.fs.LayerFileSystem;
import dev.strata.fs.ReadOnlyFileSystem;
import dev.strata.fuse.FuseMount;
import dev.strata.fuse.MountOptions;
import dev.strata.image.ImageTree;
import dev.strata.image.LayerEntries;
import dev.strata.index.ImageIndexer;
import dev.strata.index.LayerIndex;
import dev.strata.metrics.StrataMetrics;
import dev.strata.read.ImageContent;
import dev.strata.read.ReadPath;
import dev.strata.registry.ImageManifest;
import dev.strata.registry.RegistryClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root of one mount: an indexed image, its read path ({@link ReadPath}), the
 * filesystem over it, and the FUSE mount.
 */
public final class ImageMount implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ImageMount.class);

  private final ImageManifest manifest;
  private final ImageContent content;
  private final FuseMount fuse;

  /** Background publication to the ContentCache is throttled to this (bytes of layer). */
  static final long PUBLISH_BYTES_PER_SECOND = 64L << 20;

  private volatile Thread prefetcher;
  private volatile Thread publisher;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final List<AutoCloseable> closeAlso = new java.util.concurrent.CopyOnWriteArrayList<>();

  private ImageMount(ImageManifest manifest, ImageContent content, FuseMount fuse) {
    this.manifest = manifest;
    this.content = content;
    this.fuse = fuse;
  }

  /**
   * Mounts an image whose layers are indexed ({@code layers}, bottom first) and returns once the
   * mount answers.
   */
  public static ImageMount mount(
      RegistryClient client,
      Optional<ContentCacheClient> contentCache,
      ImageManifest manifest,
      List<ImageIndexer.LayerResult> layers,
      MountSpec spec)
      throws IOException {
    List<LayerIndex> indexes = new ArrayList<>();
    List<LayerEntries> entries = new ArrayList<>();
    for (ImageIndexer.LayerResult layer : layers) {
      indexes.add(layer.index());
      entries.add(
          new LayerEntries(
              layer.layer().index(), layer.layer().digest().toString(), layer.index().entries()));
    }
    ImageContent content =
        ReadPath.forImage(
            client,
            manifest.ref().repository(),
            indexes,
            spec.cacheDir(),
            spec.cacheMaxBytes(),
            spec.memoryCacheBytes(),
            contentCache);
    ReadOnlyFileSystem fs =
        spec.layers()
            ? new LayerFileSystem(entries, content::read)
            : new ImageFileSystem(ImageTree.merge(entries), content::read);
    MountOptions options =
        new MountOptions(
            spec.allowOther(),
            spec.allowOther(), // a container rootfs (allow_other) needs its setuid binaries
            "strata:" + manifest.ref().repository().name(),
            MountOptions.DEFAULT_CACHE_TIMEOUT,
            MountOptions.DEFAULT_CACHE_TIMEOUT,
            MountOptions.DEFAULT_MOUNT_TIMEOUT);
    FuseMount fuse = FuseMount.mount(spec.binding(), fs, spec.mountpoint(), options);
    ImageMount mount = new ImageMount(manifest, content, fuse);
    StrataMetrics.global().mountsChanged(1);
    if (spec.prefetch() == MountSpec.Prefetch.ALL) {
      mount.prefetchAll();
    }
    // the cache writer: layers this node did not build may still be missing from the cluster
    contentCache.ifPresent(
        cache ->
            mount.publisher =
                new LayerPublisher(cache, NodeIdentity.current(), PUBLISH_BYTES_PER_SECOND)
                    .start(indexes, content.spans()));
    return mount;
  }

  public ImageManifest manifest() {
    return manifest;
  }

  public ImageContent content() {
    return content;
  }

  /** Where it is mounted. */
  public Path mountpoint() {
    return fuse.mountpoint();
  }

  /** Whether this mount is still in the kernel's mount table (not unmounted from outside). */
  public boolean isMounted() throws IOException {
    return fuse.isMounted();
  }

  /**
   * Closes {@code resource} (e.g. the registry client the mount reads through) after unmounting.
   */
  ImageMount closing(AutoCloseable resource) {
    closeAlso.add(resource);
    return this;
  }

  /**
   * Why this mount is not serving, or empty when it is: gone from the mount table (unmounted from
   * outside, e.g. {@code fusermount -u}), or not answering a statfs (which the kernel never serves
   * from a cache, unlike a stat of the root) within {@code timeout}. A hung probe is left blocked
   * on a virtual thread.
   */
  public Optional<String> problem(Duration timeout) {
    try {
      if (!fuse.isMounted()) {
        return Optional.of("not mounted (unmounted from outside?)");
      }
    } catch (IOException e) {
      return Optional.of("cannot read the mount table: " + e.getMessage());
    }
    CompletableFuture<Optional<String>> probe = new CompletableFuture<>();
    Thread.ofVirtual()
        .name("strata-health-probe")
        .start(
            () -> {
              try {
                Files.getFileStore(fuse.mountpoint()).getTotalSpace();
                probe.complete(Optional.empty());
              } catch (IOException | RuntimeException e) {
                probe.complete(Optional.of("does not answer: " + e.getMessage()));
              }
            });
    try {
      return probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return Optional.of("does not answer within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("health check interrupted");
    } catch (ExecutionException e) {
      return Optional.of("health check failed: " + e.getCause());
    }
  }

  /** Fills every span of every layer in the background, one span at a time, at low priority. */
  private void prefetchAll() {
    prefetcher =
        Thread.ofPlatform()
            .daemon()
            .priority(Thread.MIN_PRIORITY)
            .name("strata-prefetch")
            .start(
                () -> {
                  for (LayerIndex index : content.layers()) {
                    for (int i = 0; i < index.spanCount(); i++) {
                      if (Thread.currentThread().isInterrupted()) {
                        return;
                      }
                      try {
                        content.spans().span(index, i);
                      } catch (IOException e) {
                        log.info(
                            "prefetch of span {} of {} failed: {}",
                            i,
                            index.layerDigest(),
                            e.getMessage());
                      }
                    }
                  }
                  log.info("prefetch complete");
                });
  }

  /** Stops the background work, unmounts, then closes what it was given to close. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (Thread t : new Thread[] {prefetcher, publisher}) {
      if (t != null) {
        t.interrupt();
      }
    }
    try {
      fuse.close();
    } finally {
      StrataMetrics.global().mountsChanged(-1);
      for (AutoCloseable resource : closeAlso) {
        try {
          resource.close();
        } catch (Exception e) {
          log.warn("closing {} after unmounting {} failed", resource, mountpoint(), e);
        }
      }
    }
  }
}
