package dev.strata.read;

import dev.strata.index.LayerIndex;
import dev.strata.index.Span;
import dev.strata.metrics.StrataMetrics;
import dev.strata.registry.DigestMismatchException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read path: tiers tried in order (the order is given once, where the mount is assembled),
 * every span verified against its digest before it is served or kept, a bad copy dropped and the
 * next tier tried, what a lower tier returned written to the upper tiers, and concurrent reads of
 * one span fetched once.
 */
public final class TieredSpans {
  private static final Logger log = LoggerFactory.getLogger(TieredSpans.class);

  private record Key(String layer, int span) {}

  private final List<SpanTier> tiers;
  private final Map<Key, CompletableFuture<byte[]>> inFlight = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> hits = new ConcurrentHashMap<>();
  private final AtomicLong verificationFailures = new AtomicLong();

  public TieredSpans(List<SpanTier> tiers) {
    if (tiers.isEmpty()) {
      throw new IllegalArgumentException("a read path needs a tier");
    }
    this.tiers = List.copyOf(tiers);
  }

  public List<SpanTier> tiers() {
    return tiers;
  }

  public long hits(String tier) {
    AtomicLong count = hits.get(tier);
    return count == null ? 0 : count.get();
  }

  public long verificationFailures() {
    return verificationFailures.get();
  }

  /** Span {@code i} of the layer, verified. */
  public byte[] span(LayerIndex index, int i) throws IOException {
    return spans(index, i, i).getFirst();
  }

  /**
   * Spans {@code first..last}, verified; spans missing from the upper tiers are fetched together
   * from the lower ones (one request for a run of spans).
   */
  public List<byte[]> spans(LayerIndex index, int first, int last) throws IOException {
    byte[][] out = new byte[last - first + 1][];
    int missingFrom = -1;
    for (int i = first; i <= last + 1; i++) {
      boolean found = false;
      if (i <= last) {
        CompletableFuture<byte[]> pending = inFlight.get(new Key(index.layerDigest().hex(), i));
        if (pending != null) {
          out[i - first] = await(pending);
          found = true;
        } else {
          Optional<byte[]> upper = fromUpper(index, i);
          if (upper.isPresent()) {
            out[i - first] = upper.get();
            found = true;
          }
        }
      }
      if (found || i > last) {
        if (missingFrom >= 0) {
          fetchRun(index, missingFrom, i - 1, out, first);
          missingFrom = -1;
        }
      } else if (missingFrom < 0) {
        missingFrom = i;
      }
    }
    return List.of(out);
  }

  /** Memory and disk: tiers that keep what passes through. Verified before use. */
  private Optional<byte[]> fromUpper(LayerIndex index, int i) throws IOException {
    for (SpanTier tier : tiers) {
      if (!tier.keeps()) {
        break;
      }
      long start = System.nanoTime();
      Optional<byte[]> bytes = tier.get(index, i);
      StrataMetrics.global().tierLookup(tier.name(), bytes.isPresent(), System.nanoTime() - start);
      if (bytes.isPresent()) {
        // A hit in memory is served as is: hashing 2 MiB on every FUSE read would dominate it.
        if (tier.holdsVerifiedCopies() || verified(tier, index, i, bytes.get())) {
          count(tier, index, i, bytes.get().length);
          promote(index, i, bytes.get(), tier);
          return bytes;
        }
      }
    }
    return Optional.empty();
  }

  /** A run of spans no keeping tier had: fetched once, whoever else asks meanwhile. */
  private void fetchRun(LayerIndex index, int from, int to, byte[][] out, int first)
      throws IOException {
    Map<Integer, CompletableFuture<byte[]>> mine = new java.util.HashMap<>();
    for (int i = from; i <= to; i++) {
      CompletableFuture<byte[]> future = new CompletableFuture<>();
      CompletableFuture<byte[]> existing =
          inFlight.putIfAbsent(new Key(index.layerDigest().hex(), i), future);
      if (existing == null) {
        mine.put(i, future);
      } else {
        out[i - first] = await(existing);
      }
    }
    if (mine.isEmpty()) {
      return;
    }
    int a = mine.keySet().stream().mapToInt(Integer::intValue).min().orElseThrow();
    int b = mine.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow();
    try {
      Map<Integer, byte[]> fetched = fromLower(index, a, b);
      for (Map.Entry<Integer, CompletableFuture<byte[]>> e : mine.entrySet()) {
        byte[] bytes = fetched.get(e.getKey());
        out[e.getKey() - first] = bytes;
        e.getValue().complete(bytes);
      }
    } catch (IOException | RuntimeException e) {
      mine.values().forEach(f -> f.completeExceptionally(e));
      throw e;
    } finally {
      mine.keySet().forEach(i -> inFlight.remove(new Key(index.layerDigest().hex(), i)));
    }
  }

  private Map<Integer, byte[]> fromLower(LayerIndex index, int a, int b) throws IOException {
    Map<Integer, byte[]> result = new java.util.HashMap<>();
    IOException last = null;
    for (SpanTier tier : tiers) {
      if (tier.keeps()) {
        continue;
      }
      // ask each tier only for the stretch the tiers before it left missing
      int from = a;
      while (result.containsKey(from)) {
        from++;
      }
      int to = b;
      while (result.containsKey(to)) {
        to--;
      }
      try {
        long start = System.nanoTime();
        Map<Integer, byte[]> got = tier.getRun(index, from, to);
        StrataMetrics.global()
            .tierRunLookup(tier.name(), to - from + 1, got.size(), System.nanoTime() - start);
        for (Map.Entry<Integer, byte[]> e : got.entrySet()) {
          if (!result.containsKey(e.getKey()) && verified(tier, index, e.getKey(), e.getValue())) {
            result.put(e.getKey(), e.getValue());
            count(tier, index, e.getKey(), e.getValue().length);
            promote(index, e.getKey(), e.getValue(), null);
          }
        }
      } catch (IOException e) {
        last = e;
        StrataMetrics.global().tierError(tier.name());
        log.debug(
            "tier {} failed for spans {}..{} of {}: {}",
            tier.name(),
            a,
            b,
            index.layerDigest(),
            e.getMessage());
      }
      if (result.size() == b - a + 1) {
        return result;
      }
    }
    throw last != null
        ? last
        : new IOException(
            "no tier could serve spans " + a + ".." + b + " of layer " + index.layerDigest());
  }

  private boolean verified(SpanTier tier, LayerIndex index, int i, byte[] bytes)
      throws IOException {
    Span span = index.span(i);
    try {
      SpanReader.verify(index, span, bytes);
      return true;
    } catch (DigestMismatchException e) {
      verificationFailures.incrementAndGet();
      StrataMetrics.global().verificationFailure(tier.name());
      log.warn(
          "{} tier served a bad copy of span {} of layer {}: dropped",
          tier.name(),
          i,
          index.layerDigest());
      tier.evict(index, i);
      return false;
    }
  }

  /** Writes a span into every keeping tier above {@code source} (all of them when null). */
  private void promote(LayerIndex index, int i, byte[] bytes, SpanTier source) throws IOException {
    for (SpanTier tier : tiers) {
      if (tier == source || !tier.keeps()) {
        return;
      }
      tier.put(index, i, bytes);
    }
  }

  private void count(SpanTier tier, LayerIndex index, int span, int bytes) {
    hits.computeIfAbsent(tier.name(), n -> new AtomicLong()).incrementAndGet();
    log.debug("span {} of {} from the {} tier", span, index.layerDigest(), tier.name());
    StrataMetrics.global().tierHit(tier.name(), bytes);
  }

  private static byte[] await(CompletableFuture<byte[]> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for a span");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
  }
}
