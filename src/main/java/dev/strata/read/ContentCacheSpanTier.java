package dev.strata.read;

import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.index.LayerIndex;
import dev.strata.index.Span;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Tier 2: the cluster ContentCache, which holds whole decompressed layers by diff ID. A run of
 * spans is one ranged {@code GetContent(diffId, start, length)}. A miss, or a cache that is down,
 * is an empty answer (the client skips a dead server for a back-off period, so this costs at most
 * one deadline); what it returns is verified by {@link TieredSpans} like any other tier's.
 *
 * <p>It keeps nothing it is given: the cache writer publishes whole layers, not spans.
 */
public final class ContentCacheSpanTier implements SpanTier {
  private final ContentCacheClient client;

  public ContentCacheSpanTier(ContentCacheClient client) {
    this.client = client;
  }

  @Override
  public String name() {
    return "contentcache";
  }

  @Override
  public Optional<byte[]> get(LayerIndex index, int span) throws IOException {
    return Optional.ofNullable(getRun(index, span, span).get(span));
  }

  @Override
  public Map<Integer, byte[]> getRun(LayerIndex index, int first, int last) throws IOException {
    long start = index.span(first).start();
    long end = index.span(last).end();
    Optional<byte[]> run = client.read(index.diffId().toString(), start, (int) (end - start));
    Map<Integer, byte[]> spans = new HashMap<>();
    if (run.isEmpty()) {
      return spans;
    }
    if (first == last) {
      spans.put(first, run.get()); // the usual case: no copy
      return spans;
    }
    for (int i = first; i <= last; i++) {
      Span span = index.span(i);
      spans.put(
          i,
          Arrays.copyOfRange(run.get(), (int) (span.start() - start), (int) (span.end() - start)));
    }
    return spans;
  }

  @Override
  public boolean keeps() {
    return false;
  }
}
