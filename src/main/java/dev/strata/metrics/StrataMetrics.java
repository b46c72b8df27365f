package dev.strata.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Every metric strata exports, in one place, named after Prometheus' conventions ({@code strata_}
 * prefix, base units, {@code _total} counters). The read path and the registry client report to
 * {@link #global()}; tests may build their own instance.
 *
 * <ul>
 *   <li>{@code strata_tier_hits_total{tier}}, {@code strata_tier_misses_total{tier}}, {@code
 *       strata_tier_bytes_total{tier}} (bytes served by the tier), {@code
 *       strata_tier_read_seconds{tier}} (histogram of one lookup), {@code
 *       strata_tier_errors_total{tier}} (the tier failed: down, timed out)
 *   <li>{@code strata_span_verification_failures_total{tier}}: copies that did not match their
 *       digest, dropped
 *   <li>{@code strata_registry_requests_total{status}} (HTTP status, or {@code network_error}),
 *       {@code strata_registry_retries_total}
 *   <li>{@code strata_contentcache_up{address}}: 1 when a ContentCache server answers, else 0
 *   <li>{@code strata_cache_bytes{cache}}, {@code strata_cache_evictions_total{cache}}: {@code
 *       memory} and {@code disk} span caches
 *   <li>{@code strata_spans_published_total}, {@code strata_layers_published_total}: what this node
 *       gave the ContentCache
 *   <li>{@code strata_mounts}: mounts served
 * </ul>
 */
public final class StrataMetrics {
  /** Latency buckets from a memory hit (tens of µs) to a slow registry (seconds). */
  private static final double[] READ_BUCKETS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter tierHits = counter("strata_tier_hits_total", "Spans served", "tier");
  private final Counter tierMisses =
      counter("strata_tier_misses_total", "Span lookups the tier could not serve", "tier");
  private final Counter tierBytes =
      counter("strata_tier_bytes_total", "Bytes of verified spans served", "tier");
  private final Counter tierErrors =
      counter("strata_tier_errors_total", "Lookups that failed (tier down, timed out)", "tier");
  private final Histogram tierReadSeconds =
      Histogram.builder()
          .name("strata_tier_read_seconds")
          .help("Time one lookup in a tier took")
          .labelNames("tier")
          .classicOnly()
          .classicUpperBounds(READ_BUCKETS)
          .register(registry);
  private final Counter verificationFailures =
      counter(
          "strata_span_verification_failures_total",
          "Span copies that did not match their digest (dropped, never served)",
          "tier");
  private final Counter registryRequests =
      counter(
          "strata_registry_requests_total",
          "Registry responses by HTTP status (network_error: no response)",
          "status");
  private final Counter registryRetries =
      counter("strata_registry_retries_total", "Registry requests retried");
  private final Gauge contentCacheUp =
      gauge("strata_contentcache_up", "1 when the ContentCache server answers", "address");
  private final Gauge cacheBytes = gauge("strata_cache_bytes", "Bytes held by a cache", "cache");
  private final Counter cacheEvictions =
      counter("strata_cache_evictions_total", "Entries evicted to stay in bounds", "cache");
  private final Counter spansPublished =
      counter("strata_spans_published_total", "Spans written to the ContentCache");
  private final Counter layersPublished =
      counter("strata_layers_published_total", "Layers (content and index) published");
  private final Gauge mounts = gauge("strata_mounts", "Images mounted and served");

  /** The tiers and caches strata has; their series are exported (as 0) before first use. */
  public static final java.util.List<String> TIERS =
      java.util.List.of("memory", "disk", "contentcache", "registry");

  public static final java.util.List<String> CACHES = java.util.List.of("memory", "disk");

  /** A registry of its own; use {@link #global()} in the process, a new one in a test. */
  public StrataMetrics() {
    for (String tier : TIERS) {
      tierHits.initLabelValues(tier);
      tierMisses.initLabelValues(tier);
      tierBytes.initLabelValues(tier);
      tierErrors.initLabelValues(tier);
      tierReadSeconds.initLabelValues(tier);
      verificationFailures.initLabelValues(tier);
    }
    for (String cache : CACHES) {
      cacheBytes.initLabelValues(cache);
      cacheEvictions.initLabelValues(cache);
    }
  }

  /** The process-wide instance the read path and registry client report to. */
  public static StrataMetrics global() {
    return Global.INSTANCE;
  }

  /** Built on first use, once every static field above is set (a holder: no init-order trap). */
  private static final class Global {
    static final StrataMetrics INSTANCE = new StrataMetrics();
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Everything, in the Prometheus text format (version 0.0.4). */
  public String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The content type of {@link #scrape()}. */
  public static String contentType() {
    return PrometheusTextFormatWriter.CONTENT_TYPE;
  }

  // ---- what code reports (one call each) ----

  /** A lookup in {@code tier} took {@code nanos}; {@code found} false counts a miss. */
  public void tierLookup(String tier, boolean found, long nanos) {
    tierReadSeconds.labelValues(tier).observe(nanos / 1e9);
    if (!found) {
      tierMisses.labelValues(tier).inc();
    }
  }

  /** A run lookup asked {@code asked} spans of {@code tier} and got {@code got}. */
  public void tierRunLookup(String tier, int asked, int got, long nanos) {
    tierReadSeconds.labelValues(tier).observe(nanos / 1e9);
    if (asked > got) {
      tierMisses.labelValues(tier).inc(asked - got);
    }
  }

  /** {@code tier} served a verified span of {@code bytes}. */
  public void tierHit(String tier, long bytes) {
    tierHits.labelValues(tier).inc();
    tierBytes.labelValues(tier).inc(bytes);
  }

  public void tierError(String tier) {
    tierErrors.labelValues(tier).inc();
  }

  public void verificationFailure(String tier) {
    verificationFailures.labelValues(tier).inc();
  }

  /** A registry answered with {@code status}. */
  public void registryResponse(int status) {
    registryRequests.labelValues(Integer.toString(status)).inc();
  }

  /** A registry request got no response (connection refused, reset, timed out). */
  public void registryNetworkError() {
    registryRequests.labelValues("network_error").inc();
  }

  public void registryRetry() {
    registryRetries.inc();
  }

  public void contentCacheUp(String address, boolean up) {
    contentCacheUp.labelValues(address).set(up ? 1 : 0);
  }

  /** A cache grew by {@code delta} bytes (shrank when negative). */
  public void cacheBytesChanged(String cache, long delta) {
    cacheBytes.labelValues(cache).inc((double) delta);
  }

  public void cacheEviction(String cache) {
    cacheEvictions.labelValues(cache).inc();
  }

  public void spansPublished(long n) {
    spansPublished.inc(n);
  }

  public void layerPublished() {
    layersPublished.inc();
  }

  public void mountsChanged(int delta) {
    mounts.inc(delta);
  }

  // ---- reading (tests, health checks) ----

  public Counter tierHits() {
    return tierHits;
  }

  public Counter tierMisses() {
    return tierMisses;
  }

  public Counter tierBytes() {
    return tierBytes;
  }

  public Counter tierErrors() {
    return tierErrors;
  }

  public Histogram tierReadSeconds() {
    return tierReadSeconds;
  }

  public Counter verificationFailures() {
    return verificationFailures;
  }

  public Counter registryRequests() {
    return registryRequests;
  }

  public Counter registryRetries() {
    return registryRetries;
  }

  public Gauge contentCacheUp() {
    return contentCacheUp;
  }

  public Gauge cacheBytes() {
    return cacheBytes;
  }

  public Counter cacheEvictions() {
    return cacheEvictions;
  }

  public Counter spansPublished() {
    return spansPublished;
  }

  public Counter layersPublished() {
    return layersPublished;
  }

  public Gauge mounts() {
    return mounts;
  }

  private Counter counter(String name, String help, String... labels) {
    return Counter.builder().name(name).help(help).labelNames(labels).register(registry);
  }

  private Gauge gauge(String name, String help, String... labels) {
    return Gauge.builder().name(name).help(help).labelNames(labels).register(registry);
  }
}
