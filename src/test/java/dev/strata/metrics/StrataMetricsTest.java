package dev.strata.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StrataMetricsTest {
  @Test
  void everyMetricIsExportedUnderItsConventionalName() {
    // (strata_registry_requests_total{status} and strata_contentcache_up{address} appear with
    // their first status or address: see the next test)
    String text = new StrataMetrics().scrape();
    for (String family :
        new String[] {
          "# TYPE strata_tier_hits_total counter",
          "# TYPE strata_tier_misses_total counter",
          "# TYPE strata_tier_bytes_total counter",
          "# TYPE strata_tier_errors_total counter",
          "# TYPE strata_tier_read_seconds histogram",
          "# TYPE strata_span_verification_failures_total counter",
          "# TYPE strata_registry_retries_total counter",
          "# TYPE strata_cache_bytes gauge",
          "# TYPE strata_cache_evictions_total counter",
          "# TYPE strata_spans_published_total counter",
          "# TYPE strata_layers_published_total counter",
          "# TYPE strata_mounts gauge"
        }) {
      assertThat(text).contains(family);
    }
    // known tiers and caches are there from the start, at 0, so rate() and absent() behave
    assertThat(text)
        .contains("strata_tier_hits_total{tier=\"contentcache\"} 0.0")
        .contains("strata_tier_read_seconds_count{tier=\"registry\"} 0")
        .contains("strata_cache_evictions_total{cache=\"disk\"} 0.0");
  }

  @Test
  void reportsShowUpInTheScrape() {
    StrataMetrics m = new StrataMetrics();
    m.tierLookup("disk", false, 2_000_000);
    m.tierLookup("disk", true, 200_000);
    m.tierHit("disk", 4096);
    m.tierRunLookup("registry", 4, 3, 30_000_000);
    m.tierError("contentcache");
    m.verificationFailure("disk");
    m.registryResponse(200);
    m.registryResponse(503);
    m.registryNetworkError();
    m.registryRetry();
    m.contentCacheUp("10.0.0.1:7320", true);
    m.contentCacheUp("10.0.0.2:7320", false);
    m.cacheBytesChanged("disk", 1000);
    m.cacheBytesChanged("disk", -400);
    m.cacheEviction("memory");
    m.spansPublished(5);
    m.layerPublished();
    m.mountsChanged(2);
    m.mountsChanged(-1);

    String text = m.scrape();
    assertThat(text)
        .contains("# TYPE strata_registry_requests_total counter")
        .contains("# TYPE strata_contentcache_up gauge")
        .contains("strata_tier_hits_total{tier=\"disk\"} 1.0")
        .contains("strata_tier_bytes_total{tier=\"disk\"} 4096.0")
        .contains("strata_tier_misses_total{tier=\"disk\"} 1.0")
        .contains("strata_tier_misses_total{tier=\"registry\"} 1.0")
        .contains("strata_tier_errors_total{tier=\"contentcache\"} 1.0")
        .contains("strata_tier_read_seconds_bucket{tier=\"disk\",le=\"2.5E-4\"} 1")
        .contains("strata_tier_read_seconds_bucket{tier=\"disk\",le=\"0.0025\"} 2")
        .contains("strata_tier_read_seconds_count{tier=\"disk\"} 2")
        .contains("strata_span_verification_failures_total{tier=\"disk\"} 1.0")
        .contains("strata_registry_requests_total{status=\"200\"} 1.0")
        .contains("strata_registry_requests_total{status=\"503\"} 1.0")
        .contains("strata_registry_requests_total{status=\"network_error\"} 1.0")
        .contains("strata_registry_retries_total 1.0")
        .contains("strata_contentcache_up{address=\"10.0.0.1:7320\"} 1.0")
        .contains("strata_contentcache_up{address=\"10.0.0.2:7320\"} 0.0")
        .contains("strata_cache_bytes{cache=\"disk\"} 600.0")
        .contains("strata_cache_evictions_total{cache=\"memory\"} 1.0")
        .contains("strata_spans_published_total 5.0")
        .contains("strata_layers_published_total 1.0")
        .contains("strata_mounts 1.0");
    assertThat(StrataMetrics.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
  }

  @Test
  void instancesAreIndependentAndGlobalIsOne() {
    StrataMetrics a = new StrataMetrics();
    a.registryRetry();
    assertThat(new StrataMetrics().registryRetries().get()).isZero();
    assertThat(StrataMetrics.global()).isSameAs(StrataMetrics.global());
  }
}
