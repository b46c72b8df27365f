package dev.strata.read;

import dev.strata.index.LayerIndex;
import dev.strata.metrics.StrataMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tier 1b: decompressed spans on local disk, {@code <dir>/<layer hex>/<span>}, surviving restarts.
 * A span is written under a temporary name and renamed on commit, so a half-written span is never
 * read. The total is bounded by {@code maxBytes}: the least recently used spans are deleted.
 */
public final class DiskSpanTier implements SpanTier {
  private static final Logger log = LoggerFactory.getLogger(DiskSpanTier.class);

  private record Entry(long size, long lastUse) {}

  private final Path dir;
  private final long maxBytes;
  private final Map<Path, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong clock = new AtomicLong();
  private final AtomicLong evictions = new AtomicLong();

  public DiskSpanTier(Path dir, long maxBytes) throws IOException {
    this.dir = dir;
    this.maxBytes = maxBytes;
    Files.createDirectories(dir);
    load();
  }

  /** Recovers the cache after a restart; leftovers of interrupted writes are deleted. */
  private void load() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir, 2)) {
      walk.filter(Files::isRegularFile).forEach(files::add);
    }
    files.sort(Comparator.comparingLong(DiskSpanTier::mtime));
    for (Path file : files) {
      if (file.getFileName().toString().startsWith(".tmp")) {
        Files.deleteIfExists(file);
        continue;
      }
      long size = Files.size(file);
      entries.put(file, new Entry(size, clock.incrementAndGet()));
      total.addAndGet(size);
      StrataMetrics.global().cacheBytesChanged("disk", size);
    }
    evictIfNeeded();
  }

  private static long mtime(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String name() {
    return "disk";
  }

  public long sizeBytes() {
    return total.get();
  }

  public long evictions() {
    return evictions.get();
  }

  private Path pathOf(dev.strata.registry.Digest layer, int span) {
    return dir.resolve(layer.hex()).resolve(Integer.toString(span));
  }

  private Path pathOf(LayerIndex index, int span) {
    return pathOf(index.layerDigest(), span);
  }

  @Override
  public Optional<byte[]> get(LayerIndex index, int span) throws IOException {
    Path file = pathOf(index, span);
    Entry entry = entries.get(file);
    if (entry == null) {
      return Optional.empty();
    }
    try {
      byte[] bytes = Files.readAllBytes(file);
      entries.computeIfPresent(file, (f, e) -> new Entry(e.size(), clock.incrementAndGet()));
      return Optional.of(bytes);
    } catch (NoSuchFileException e) {
      forget(file);
      return Optional.empty();
    }
  }

  @Override
  public void put(LayerIndex index, int span, byte[] bytes) throws IOException {
    put(index.layerDigest(), span, bytes);
  }

  /**
   * Keeps a span of a layer whose index is still being built (the indexing pass fills the cache).
   * What is kept is verified when read, like everything else.
   */
  public void put(dev.strata.registry.Digest layer, int span, byte[] bytes) throws IOException {
    if (bytes.length > maxBytes) {
      return;
    }
    Path file = pathOf(layer, span);
    dev.strata.io.AtomicFiles.write(file, bytes);
    Entry previous = entries.put(file, new Entry(bytes.length, clock.incrementAndGet()));
    total.addAndGet(bytes.length - (previous == null ? 0 : previous.size()));
    StrataMetrics.global()
        .cacheBytesChanged("disk", bytes.length - (previous == null ? 0 : previous.size()));
    evictIfNeeded();
  }

  @Override
  public void evict(LayerIndex index, int span) throws IOException {
    Path file = pathOf(index, span);
    Files.deleteIfExists(file);
    forget(file);
  }

  private void forget(Path file) {
    Entry removed = entries.remove(file);
    if (removed != null) {
      total.addAndGet(-removed.size());
      StrataMetrics.global().cacheBytesChanged("disk", -removed.size());
    }
  }

  private synchronized void evictIfNeeded() throws IOException {
    if (total.get() <= maxBytes) {
      return;
    }
    List<Map.Entry<Path, Entry>> byAge = new ArrayList<>(entries.entrySet());
    byAge.sort(Comparator.comparingLong(e -> e.getValue().lastUse()));
    for (Map.Entry<Path, Entry> oldest : byAge) {
      if (total.get() <= maxBytes) {
        break;
      }
      Files.deleteIfExists(oldest.getKey());
      forget(oldest.getKey());
      evictions.incrementAndGet();
      StrataMetrics.global().cacheEviction("disk");
      log.debug("evicted span {}", oldest.getKey());
    }
  }
}
