package dev.strata.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.index.LayerIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TieredSpansTest {
  @TempDir Path dir;
  SpanFixtures layer;
  AtomicInteger registryRuns = new AtomicInteger();

  @BeforeEach
  void fixtures() throws Exception {
    layer = SpanFixtures.create(dir);
  }

  /** The registry tier over the local blob, counting its (slow) range fetches. */
  SpanTier registry(Path blob) {
    SpanReader reader = new SpanReader(BlobRanges.file(blob), false);
    BlobSpanTier real = new BlobSpanTier("registry", index -> reader);
    return new SpanTier() {
      @Override
      public String name() {
        return real.name();
      }

      @Override
      public java.util.Optional<byte[]> get(LayerIndex index, int span) throws java.io.IOException {
        return java.util.Optional.ofNullable(getRun(index, span, span).get(span));
      }

      @Override
      public Map<Integer, byte[]> getRun(LayerIndex index, int first, int last)
          throws java.io.IOException {
        registryRuns.incrementAndGet();
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          throw new java.io.InterruptedIOException();
        }
        return real.getRun(index, first, last);
      }

      @Override
      public boolean keeps() {
        return false;
      }
    };
  }

  @Test
  void aMissIsFetchedOnceCoalescedAndWrittenToTheUpperTiers() throws Exception {
    MemorySpanTier memory = new MemorySpanTier(64L << 20);
    DiskSpanTier disk = new DiskSpanTier(dir.resolve("cache"), 64L << 20);
    TieredSpans spans = new TieredSpans(List.of(memory, disk, registry(layer.blob())));
    List<byte[]> run = spans.spans(layer.index(), 1, 3);
    for (int i = 1; i <= 3; i++) {
      assertThat(run.get(i - 1)).isEqualTo(layer.span(i));
      assertThat(memory.get(layer.index(), i)).isPresent();
      assertThat(disk.get(layer.index(), i)).isPresent();
    }
    assertThat(registryRuns).hasValue(1);
    assertThat(spans.hits("registry")).isEqualTo(3);
    spans.spans(layer.index(), 1, 3);
    assertThat(registryRuns).hasValue(1);
    assertThat(spans.hits("memory")).isEqualTo(3);
  }

  @Test
  void concurrentReadersOfOneSpanFetchItOnce() throws Exception {
    TieredSpans spans =
        new TieredSpans(List.of(new MemorySpanTier(64L << 20), registry(layer.blob())));
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<byte[]>> reads = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) {
        reads.add(
            pool.submit(
                () -> {
                  start.await();
                  return spans.span(layer.index(), 2);
                }));
      }
      start.countDown();
      for (Future<byte[]> read : reads) {
        assertThat(read.get()).isEqualTo(layer.span(2));
      }
    }
    assertThat(registryRuns).hasValue(1);
  }

  @Test
  void aCorruptDiskCopyIsDroppedCountedAndRefetched() throws Exception {
    DiskSpanTier disk = new DiskSpanTier(dir.resolve("cache"), 64L << 20);
    byte[] bad = layer.span(1).clone();
    bad[100] ^= 1;
    disk.put(layer.index(), 1, bad);
    TieredSpans spans = new TieredSpans(List.of(disk, registry(layer.blob())));
    assertThat(spans.span(layer.index(), 1)).isEqualTo(layer.span(1));
    assertThat(spans.verificationFailures()).isEqualTo(1);
    assertThat(disk.get(layer.index(), 1))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(layer.span(1)));
  }

  @Test
  void memoryHitsAreServedWithoutHashingAgainButDiskHitsAreVerified() throws Exception {
    MemorySpanTier memory = new MemorySpanTier(64L << 20);
    DiskSpanTier disk = new DiskSpanTier(dir.resolve("cache"), 64L << 20);
    byte[] bad = layer.span(2).clone();
    bad[7] ^= 1;
    disk.put(layer.index(), 2, bad); // rotted on disk
    TieredSpans spans = new TieredSpans(List.of(memory, disk, registry(layer.blob())));
    assertThat(spans.span(layer.index(), 2)).isEqualTo(layer.span(2));
    assertThat(spans.verificationFailures()).isEqualTo(1);
    assertThat(memory.holdsVerifiedCopies()).isTrue();
    assertThat(disk.holdsVerifiedCopies()).isFalse();
    assertThat(spans.span(layer.index(), 2)).isEqualTo(layer.span(2));
    assertThat(spans.hits("memory")).isEqualTo(1);
  }

  @Test
  void aRegistryServingGarbageIsNeverServed() throws Exception {
    byte[] blob = Files.readAllBytes(layer.blob());
    for (int i = 5_000; i < blob.length - 100; i += 7_000) {
      blob[i] ^= 0x20;
    }
    Path corrupt = Files.write(dir.resolve("corrupt.gz"), blob);
    TieredSpans spans = new TieredSpans(List.of(new MemorySpanTier(1 << 20), registry(corrupt)));
    assertThatThrownBy(() -> spans.span(layer.index(), 1)).isInstanceOf(java.io.IOException.class);
  }

  @Test
  void imageContentReadsAcrossSpans() throws Exception {
    TieredSpans spans =
        new TieredSpans(List.of(new MemorySpanTier(64L << 20), registry(layer.blob())));
    ImageContent content = new ImageContent(List.of(layer.index()), spans);
    long offset = layer.index().span(1).end() - 1000;
    byte[] buffer = new byte[5000];
    content.read(0, offset, buffer, 0, 5000);
    assertThat(buffer)
        .isEqualTo(java.util.Arrays.copyOfRange(layer.tar(), (int) offset, (int) offset + 5000));
  }

  @Test
  void readAheadFollowsASequentialReaderButNotPastItsFile() throws Exception {
    MemorySpanTier memory = new MemorySpanTier(64L << 20);
    TieredSpans spans = new TieredSpans(List.of(memory, registry(layer.blob())));
    ImageContent content = new ImageContent(List.of(layer.index()), spans);
    LayerIndex index = layer.index();
    assertThat(index.spanCount()).isGreaterThanOrEqualTo(5);
    byte[] buffer = new byte[1000];
    // a file ending inside span 1, read sequentially from span 0 into span 1: span 2 is not its
    long fileEnd = index.span(1).start() + 2000;
    content.read(0, index.span(1).start() - 1000, buffer, 0, 1000, fileEnd);
    content.read(0, index.span(1).start(), buffer, 0, 1000, fileEnd);
    Thread.sleep(300);
    assertThat(memory.get(index, 2)).isEmpty();
    // a file that goes on: the next spans are fetched ahead of the reader
    content.read(0, index.span(2).start(), buffer, 0, 1000, index.uncompressedSize());
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (memory.get(index, 4).isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(memory.get(index, 3)).isPresent();
    assertThat(memory.get(index, 4)).isPresent();
  }
}
