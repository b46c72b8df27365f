package dev.strata.image;

import dev.strata.index.IndexEntry;
import java.util.List;
import java.util.Objects;

/**
 * One layer's entries, as the layer indexer recorded them, ready to be merged.
 *
 * @param layerIndex the layer's position in the image (0 = bottom); copied into every {@link Node}
 *     whose content comes from this layer, so a reader knows which layer's stream to read
 * @param layerName how errors name the layer, e.g. its digest
 * @param entries the layer's entries in tar stream order, paths already normalized by {@link
 *     dev.strata.index.EntryPaths#normalize}
 */
public record LayerEntries(int layerIndex, String layerName, List<IndexEntry> entries) {
  public LayerEntries {
    Objects.requireNonNull(layerName, "layerName");
    entries = List.copyOf(entries);
  }
}
