package dev.strata.read;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every keeping {@link SpanTier} must do; run once per implementation. */
abstract class SpanTierContract {
  @TempDir Path dir;
  SpanFixtures layer;

  abstract SpanTier tier() throws Exception;

  @BeforeEach
  void fixtures() throws Exception {
    layer = SpanFixtures.create(dir);
  }

  @Test
  void missesUntilPutThenServesWhatWasPut() throws Exception {
    SpanTier tier = tier();
    assertThat(tier.keeps()).isTrue();
    assertThat(tier.get(layer.index(), 1)).isEmpty();
    tier.put(layer.index(), 1, layer.span(1));
    assertThat(tier.get(layer.index(), 1))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(layer.span(1)));
    assertThat(tier.get(layer.index(), 2)).isEmpty();
  }

  @Test
  void evictForgetsASpan() throws Exception {
    SpanTier tier = tier();
    tier.put(layer.index(), 0, layer.span(0));
    tier.evict(layer.index(), 0);
    assertThat(tier.get(layer.index(), 0)).isEmpty();
    tier.evict(layer.index(), 3); // absent: no error
  }

  @Test
  void getRunReturnsOnlyWhatItHas() throws Exception {
    SpanTier tier = tier();
    tier.put(layer.index(), 0, layer.span(0));
    tier.put(layer.index(), 2, layer.span(2));
    assertThat(tier.getRun(layer.index(), 0, 2)).containsOnlyKeys(0, 2);
  }
}

class MemorySpanTierTest extends SpanTierContract {
  @Override
  SpanTier tier() {
    return new MemorySpanTier(64L << 20);
  }
}

class DiskSpanTierTest extends SpanTierContract {
  @Override
  SpanTier tier() throws Exception {
    return new DiskSpanTier(dir.resolve("cache"), 64L << 20);
  }

  @Test
  void survivesARestartAndCleansHalfWrittenFiles() throws Exception {
    DiskSpanTier first = new DiskSpanTier(dir.resolve("cache"), 64L << 20);
    first.put(layer.index(), 1, layer.span(1));
    Path layerDir = dir.resolve("cache").resolve(layer.index().layerDigest().hex());
    java.nio.file.Files.writeString(layerDir.resolve(".tmp-2-interrupted"), "half");
    DiskSpanTier second = new DiskSpanTier(dir.resolve("cache"), 64L << 20);
    assertThat(second.get(layer.index(), 1))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(layer.span(1)));
    assertThat(layerDir.resolve(".tmp-2-interrupted")).doesNotExist();
    assertThat(second.sizeBytes()).isEqualTo(layer.span(1).length);
  }

  @Test
  void staysWithinItsBoundEvictingTheLeastRecentlyUsed() throws Exception {
    long bound = (long) layer.span(0).length + layer.span(1).length + 10;
    DiskSpanTier tier = new DiskSpanTier(dir.resolve("small"), bound);
    tier.put(layer.index(), 0, layer.span(0));
    tier.put(layer.index(), 1, layer.span(1));
    tier.get(layer.index(), 0); // 1 is now the least recently used
    tier.put(layer.index(), 2, layer.span(2));
    assertThat(tier.sizeBytes()).isLessThanOrEqualTo(bound);
    assertThat(tier.get(layer.index(), 1)).isEmpty();
    assertThat(tier.get(layer.index(), 0)).isPresent();
    assertThat(tier.get(layer.index(), 2)).isPresent();
    assertThat(tier.evictions()).isEqualTo(1);
  }
}
