package dev.strata.contentcache.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The server's Prometheus metrics, in a registry of its own (not the global default, so two servers
 * in one JVM, as in tests, count apart).
 */
public final class ContentCacheMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();

  /** Calls by method and status code (OK, NOT_FOUND, ...), UNAUTHENTICATED ones included. */
  final Counter requests =
      Counter.builder()
          .name("strata_contentcache_requests_total")
          .help("ContentCache calls by method and status code")
          .labelNames("method", "code")
          .register(registry);

  final Histogram latency =
      Histogram.builder()
          .name("strata_contentcache_request_duration_seconds")
          .help("Time from a call's start to its close, by method")
          .labelNames("method")
          .classicOnly()
          .classicUpperBounds(.0005, .001, .002, .005, .01, .02, .05, .1, .2, .5, 1, 2, 5, 10, 30)
          .register(registry);

  final Counter bytesServed =
      Counter.builder()
          .name("strata_contentcache_served_bytes_total")
          .help("Content bytes sent by GetContent")
          .register(registry);

  final Counter bytesStored =
      Counter.builder()
          .name("strata_contentcache_received_bytes_total")
          .help("Content bytes received by StoreContent calls that committed")
          .register(registry);

  final Counter hotHits =
      Counter.builder()
          .name("strata_contentcache_hot_hits_total")
          .help("GetContent ranges served from the in-memory hot cache")
          .register(registry);

  final Counter hotMisses =
      Counter.builder()
          .name("strata_contentcache_hot_misses_total")
          .help("GetContent ranges read from disk")
          .register(registry);

  ContentCacheMetrics(ContentStore store) {
    GaugeWithCallback.builder()
        .name("strata_contentcache_stored_bytes")
        .help("Bytes of committed content on disk")
        .callback(cb -> cb.call((double) store.storedBytes()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("strata_contentcache_max_bytes")
        .help("The bound of the content on disk")
        .callback(cb -> cb.call((double) store.maxBytes()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("strata_contentcache_contents")
        .help("Contents on disk")
        .callback(cb -> cb.call(store.contentCount()))
        .register(registry);
    CounterWithCallback.builder()
        .name("strata_contentcache_evictions_total")
        .help("Contents deleted to keep the bound (least recently used first)")
        .callback(cb -> cb.call((double) store.evictions()))
        .register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** All metrics in the Prometheus text format. */
  public void writeText(OutputStream out) throws IOException {
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
  }

  public String text() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeText(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
