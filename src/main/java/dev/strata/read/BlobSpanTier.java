package dev.strata.read;

import dev.strata.index.LayerIndex;
import dev.strata.registry.RegistryClient;
import dev.strata.registry.Repository;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Tier 3: the layer blob itself, in the registry (or a local copy). A run of spans is one range
 * request from the first span's checkpoint, inflated from there. It never misses: it returns the
 * spans or throws.
 */
public final class BlobSpanTier implements SpanTier {
  private final String name;
  private final Function<LayerIndex, SpanReader> readers;

  /**
   * @param name {@code registry}, or what the blob is when it is local
   * @param readers the (unverifying) span reader for a layer's blob
   */
  public BlobSpanTier(String name, Function<LayerIndex, SpanReader> readers) {
    this.name = name;
    this.readers = readers;
  }

  /** The tier that reads spans from the registry with range requests. */
  public static BlobSpanTier registry(RegistryClient client, Repository repository) {
    return new BlobSpanTier(
        "registry",
        index ->
            new SpanReader(BlobRanges.registry(client, repository, index.layerDigest()), false));
  }

  @Override
  public String name() {
    return name;
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
