package dev.strata.cachewriter;

import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.contentcache.client.ContentUpload;
import dev.strata.contentcache.client.Lease;
import dev.strata.index.LayerIndex;
import dev.strata.metrics.StrataMetrics;
import dev.strata.read.TieredSpans;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes, in the background, the layers of a mounted image whose index this node did not build
 * (it came from the local store or the cluster) and whose content the ContentCache lacks: the layer
 * is streamed span by span through the node's read path (so every byte sent was verified),
 * throttled, by at most one node of the cluster at a time (a lease per layer).
 */
public final class LayerPublisher {
  private static final Logger log = LoggerFactory.getLogger(LayerPublisher.class);
  static final Duration LEASE = Duration.ofMinutes(2);

  private final ContentCacheClient client;
  private final String holder;
  private final long bytesPerSecond;
  private final AtomicLong layersPublished = new AtomicLong();

  /**
   * @param bytesPerSecond the most this node sends per second for background publication
   */
  public LayerPublisher(ContentCacheClient client, String holder, long bytesPerSecond) {
    this.client = client;
    this.holder = holder;
    this.bytesPerSecond = bytesPerSecond;
  }

  public long layersPublished() {
    return layersPublished.get();
  }

  /** Starts publishing what is missing; returns the (daemon, low priority) thread doing it. */
  public Thread start(List<LayerIndex> layers, TieredSpans spans) {
    return Thread.ofPlatform()
        .daemon()
        .priority(Thread.MIN_PRIORITY)
        .name("strata-cache-writer")
        .start(
            () -> {
              for (LayerIndex layer : layers) {
                if (Thread.currentThread().isInterrupted()) {
                  return;
                }
                try {
                  publishIfMissing(layer, spans);
                } catch (IOException e) {
                  log.info(
                      "background publication of {} stopped: {}", layer.diffId(), e.getMessage());
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
  }

  /** Publishes one layer unless it is in the ContentCache or another node is publishing it. */
  boolean publishIfMissing(LayerIndex layer, TieredSpans spans)
      throws IOException, InterruptedException {
    String diffId = layer.diffId().toString();
    if (client.has(diffId)) {
      return false;
    }
    String key = "publish/" + diffId;
    Optional<Lease> lease = client.acquireLease(key, holder, LEASE);
    if (lease.isEmpty() || !lease.get().granted()) {
      log.debug("layer {} is being published by {}", diffId, lease.map(Lease::holder).orElse("?"));
      return false;
    }
    log.info("publishing layer {} to the ContentCache in the background", diffId);
    long start = System.nanoTime();
    long lastRenewal = start;
    long sent = 0;
    try (ContentUpload upload = client.openUpload(diffId, null, layer.uncompressedSize())) {
      for (int i = 0; i < layer.spanCount() && !upload.isFailed(); i++) {
        byte[] span = spans.span(layer, i);
        upload.write(span, 0, span.length);
        sent += span.length;
        throttle(sent, start);
        if (System.nanoTime() - lastRenewal > LEASE.toNanos() / 4) {
          lastRenewal = System.nanoTime();
          client.acquireLease(key, holder, LEASE);
        }
      }
      upload.commit();
    }
    layersPublished.incrementAndGet();
    StrataMetrics.global().layerPublished();
    StrataMetrics.global().spansPublished(layer.spanCount());
    log.info("published layer {} ({} bytes)", diffId, sent);
    return true;
  }

  private void throttle(long sent, long startNanos) throws InterruptedException {
    long dueNanos = (long) (sent * 1e9 / bytesPerSecond);
    long ahead = dueNanos - (System.nanoTime() - startNanos);
    if (ahead > 0) {
      Thread.sleep(Duration.ofNanos(ahead));
    }
  }
}
