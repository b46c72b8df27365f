package dev.strata.read;

import dev.strata.index.LayerIndex;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Tier 3: the registry. A run of spans is one HTTP Range request from the first span's checkpoint,
 * inflated from there. It never misses: it returns the spans or throws.
 */
public final class RegistrySpanTier implements SpanTier {
  private final Function<LayerIndex, SpanReader> readers;

  /**
   * @param readers the (unverifying) span reader for a layer's blob
   */
  public RegistrySpanTier(Function<LayerIndex, SpanReader> readers) {
    this.readers = readers;
  }

  @Override
  public String name() {
    return "registry";
  }

  @Override
  public Optional<byte[]> get(LayerIndex index, int span) throws IOException {
    return Optional.of(readers.apply(index).readSpans(index, span, span).getFirst());
  }

  @Override
  public Map<Integer, byte[]> getRun(LayerIndex index, int first, int last) throws IOException {
    List<byte[]> spans = readers.apply(index).readSpans(index, first, last);
    Map<Integer, byte[]> out = new HashMap<>();
    for (int i = first; i <= last; i++) {
      out.put(i, spans.get(i - first));
    }
    return out;
  }

  @Override
  public boolean keeps() {
    return false;
  }
}
