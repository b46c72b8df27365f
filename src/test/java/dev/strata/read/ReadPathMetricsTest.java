package dev.strata.read;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.metrics.StrataMetrics;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read path reports to {@link StrataMetrics#global()}: tier hits, misses, bytes, latency,
 * verification failures, cache sizes and evictions. Other tests report there too, so these check
 * how much the counters moved.
 */
class ReadPathMetricsTest {
  private static final StrataMetrics M = StrataMetrics.global();

  @TempDir Path dir;
  SpanFixtures layer;

  @BeforeEach
  void fixtures() throws Exception {
    layer = SpanFixtures.create(dir);
  }

  private SpanTier registry() {
    SpanReader reader = new SpanReader(BlobRanges.file(layer.blob()), false);
    return new BlobSpanTier("registry", index -> reader);
  }

  @Test
  void tiersCountHitsMissesBytesAndLatency() throws Exception {
    MemorySpanTier memory = new MemorySpanTier(64L << 20);
    DiskSpanTier disk = new DiskSpanTier(dir.resolve("cache"), 64L << 20);
    TieredSpans spans = new TieredSpans(List.of(memory, disk, registry()));
    double registryHits = hits("registry");
    double registryBytes = M.tierBytes().labelValues("registry").get();
    double memoryMisses = misses("memory");
    double diskMisses = misses("disk");
    long memoryLookups = M.tierReadSeconds().labelValues("memory").getCount();

    spans.spans(layer.index(), 1, 3);

    double bytes = layer.span(1).length + layer.span(2).length + layer.span(3).length;
    assertThat(hits("registry") - registryHits).isEqualTo(3);
    assertThat(M.tierBytes().labelValues("registry").get() - registryBytes).isEqualTo(bytes);
    assertThat(misses("memory") - memoryMisses).isEqualTo(3);
    assertThat(misses("disk") - diskMisses).isEqualTo(3);
    assertThat(M.tierReadSeconds().labelValues("memory").getCount() - memoryLookups).isEqualTo(3);

    double memoryHits = hits("memory");
    spans.spans(layer.index(), 1, 3);
    assertThat(hits("memory") - memoryHits).isEqualTo(3);
    assertThat(hits("registry") - registryHits).isEqualTo(3);
  }

  @Test
  void aBadCopyCountsAVerificationFailureOfItsTier() throws Exception {
    DiskSpanTier disk = new DiskSpanTier(dir.resolve("cache"), 64L << 20);
    byte[] bad = layer.span(1).clone();
    bad[3] ^= 1;
    disk.put(layer.index(), 1, bad);
    double before = M.verificationFailures().labelValues("disk").get();
    new TieredSpans(List.of(disk, registry())).span(layer.index(), 1);
    assertThat(M.verificationFailures().labelValues("disk").get() - before).isEqualTo(1);
  }

  @Test
  void diskCacheReportsItsBytesAndEvictions() throws Exception {
    double bytes = cacheBytes("disk");
    double evictions = M.cacheEvictions().labelValues("disk").get();
    int span = layer.span(1).length;
    DiskSpanTier disk = new DiskSpanTier(dir.resolve("cache"), span * 2L);
    for (int i = 1; i <= 4; i++) {
      disk.put(layer.index(), i, layer.span(1));
    }
    assertThat(M.cacheEvictions().labelValues("disk").get() - evictions).isEqualTo(2);
    assertThat(cacheBytes("disk") - bytes)
        .isEqualTo((double) disk.sizeBytes())
        .isEqualTo(span * 2.0);
    disk.evict(layer.index(), 4);
    assertThat(cacheBytes("disk") - bytes).isEqualTo(span);
  }

  @Test
  void memoryCacheReportsItsBytesAndEvictions() {
    double bytes = cacheBytes("memory");
    double evictions = M.cacheEvictions().labelValues("memory").get();
    MemorySpanTier memory = new MemorySpanTier(1000);
    memory.put(layer.index(), 1, new byte[400]);
    memory.put(layer.index(), 1, new byte[300]); // replaces: 300 held
    assertThat(cacheBytes("memory") - bytes).isEqualTo(300);
    memory.put(layer.index(), 2, new byte[2000]); // above the bound: evicted at once
    assertThat(M.cacheEvictions().labelValues("memory").get() - evictions).isEqualTo(1);
    assertThat(cacheBytes("memory") - bytes).isEqualTo(300);
    memory.evict(layer.index(), 1);
    assertThat(cacheBytes("memory") - bytes).isZero();
  }

  private static double hits(String tier) {
    return M.tierHits().labelValues(tier).get();
  }

  private static double misses(String tier) {
    return M.tierMisses().labelValues(tier).get();
  }

  private static double cacheBytes(String cache) {
    return M.cacheBytes().labelValues(cache).get();
  }
}
