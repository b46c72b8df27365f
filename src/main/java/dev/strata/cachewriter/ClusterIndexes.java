package dev.strata.cachewriter;

import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.contentcache.client.ContentUpload;
import dev.strata.contentcache.client.Lease;
import dev.strata.index.IndexFormatException;
import dev.strata.index.IndexSharing;
import dev.strata.index.LayerIndex;
import dev.strata.index.LayerIndexCodec;
import dev.strata.metrics.StrataMetrics;
import dev.strata.registry.Digest;
import dev.strata.registry.LayerDescriptor;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Layer indexes shared through the ContentCache: found by the reference {@code layer-index/<layer
 * digest>/<index version>}, published with the decompressed layer in the pass that builds them. A
 * node that finds another node building a layer's index (it holds the build lease) waits for it
 * rather than streaming the same blob from the registry again.
 */
public final class ClusterIndexes implements IndexSharing {
  private static final Logger log = LoggerFactory.getLogger(ClusterIndexes.class);
  static final long MAX_INDEX_BYTES = 512L << 20;
  static final Duration BUILD_LEASE = Duration.ofMinutes(2);
  static final Duration RENEW_EVERY = Duration.ofSeconds(30);
  static final Duration POLL = Duration.ofMillis(250);

  private final ContentCacheClient client;
  private final String holder;
  private final Duration maxWait;
  private final AtomicLong layersPublished = new AtomicLong();
  private final AtomicLong indexesPublished = new AtomicLong();

  /**
   * @param holder this node's name in leases
   * @param maxWait how long to wait for another node's build before building here anyway
   */
  public ClusterIndexes(ContentCacheClient client, String holder, Duration maxWait) {
    this.client = client;
    this.holder = holder;
    this.maxWait = maxWait;
  }

  /** The name under which a layer's index is published. */
  public static String indexReference(Digest layer) {
    return "layer-index/" + layer + "/" + LayerIndex.CURRENT_VERSION;
  }

  static String buildLease(Digest layer) {
    return "build/" + layer;
  }

  public long layersPublished() {
    return layersPublished.get();
  }

  public long indexesPublished() {
    return indexesPublished.get();
  }

  @Override
  public Optional<LayerIndex> find(LayerDescriptor layer) {
    long deadline = System.nanoTime() + maxWait.toNanos();
    boolean announced = false;
    try {
      while (true) {
        Optional<LayerIndex> found = fetch(layer);
        if (found.isPresent()) {
          return found;
        }
        Optional<Lease> lease =
            client.acquireLease(buildLease(layer.digest()), holder, BUILD_LEASE);
        if (lease.isEmpty() || lease.get().granted() || System.nanoTime() > deadline) {
          return Optional.empty(); // this node builds it
        }
        if (!announced) {
          log.info("waiting for {} to index layer {}", lease.get().holder(), layer.digest());
          announced = true;
        }
        Thread.sleep(POLL);
      }
    } catch (IOException e) {
      log.info("ContentCache lookup of the index of {} failed: {}", layer.digest(), e.getMessage());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private Optional<LayerIndex> fetch(LayerDescriptor layer) throws IOException {
    Optional<String> hash = client.getReference(indexReference(layer.digest()));
    if (hash.isEmpty()) {
      return Optional.empty();
    }
    Optional<byte[]> bytes = client.readAll(hash.get(), MAX_INDEX_BYTES);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    if (!Digest.sha256(bytes.get()).toString().equals(hash.get())) {
      log.warn("the ContentCache served a corrupt index of layer {}: ignored", layer.digest());
      return Optional.empty();
    }
    try {
      LayerIndex index = LayerIndexCodec.decode(bytes.get());
      if (!index.layerDigest().equals(layer.digest()) || !index.diffId().equals(layer.diffId())) {
        log.warn("the ContentCache's index for {} is another layer's: ignored", layer.digest());
        return Optional.empty();
      }
      log.info("index of layer {} found in the ContentCache", layer.digest());
      return Optional.of(index);
    } catch (IndexFormatException e) {
      log.warn("unreadable index of {} in the ContentCache: {}", layer.digest(), e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * Gives a lease up by renewing it for a millisecond: a node that cannot see the published index
   * (its reference lives on a server it cannot reach) must not wait for the lease to run out.
   */
  private void release(String lease) throws IOException {
    client.acquireLease(lease, holder, Duration.ofMillis(1));
  }

  @Override
  public Publication publish(LayerDescriptor layer) {
    boolean contentPresent;
    try {
      contentPresent = client.has(layer.diffId().toString());
    } catch (IOException e) {
      contentPresent = false;
    }
    ContentUpload upload =
        contentPresent ? null : client.openUpload(layer.diffId().toString(), null, -1);
    return new LayerPublication(layer, upload);
  }

  /** The decompressed layer streamed to the ContentCache while it is indexed, then its index. */
  private final class LayerPublication implements Publication {
    private final LayerDescriptor layer;
    private final ContentUpload upload; // null when the content is there already
    private long lastRenewal = System.nanoTime();
    private boolean published;

    LayerPublication(LayerDescriptor layer, ContentUpload upload) {
      this.layer = layer;
      this.upload = upload;
    }

    @Override
    public void uncompressed(byte[] buffer, int offset, int length) throws IOException {
      if (upload != null) {
        upload.write(buffer, offset, length);
      }
      if (System.nanoTime() - lastRenewal > RENEW_EVERY.toNanos()) {
        lastRenewal = System.nanoTime();
        client.acquireLease(buildLease(layer.digest()), holder, BUILD_LEASE);
      }
    }

    @Override
    public void built(LayerIndex index, byte[] encodedIndex) {
      try {
        if (upload != null) {
          upload.commit();
          layersPublished.incrementAndGet();
          StrataMetrics.global().layerPublished();
          StrataMetrics.global().spansPublished(index.spanCount());
          log.info("published layer {} ({})", layer.digest(), layer.diffId());
        }
        String hash =
            client.store(Digest.sha256(encodedIndex).toString(), null, encodedIndex).hash();
        client.putReference(indexReference(layer.digest()), hash);
        indexesPublished.incrementAndGet();
        release(buildLease(layer.digest()));
        published = true;
      } catch (IOException e) {
        log.warn(
            "publishing layer {} to the ContentCache failed: {}", layer.digest(), e.getMessage());
      }
    }

    @Override
    public void close() {
      if (upload != null) {
        upload.close();
      }
      if (!published) {
        try {
          release(buildLease(layer.digest()));
        } catch (IOException e) {
          log.debug("releasing the build lease of {}: {}", layer.digest(), e.getMessage());
        }
      }
    }
  }
}
