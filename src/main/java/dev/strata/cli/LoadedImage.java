package dev.strata.cli;

import dev.strata.image.ImageTree;
import dev.strata.image.LayerEntries;
import dev.strata.index.ImageIndexer;
import dev.strata.index.LayerIndex;
import dev.strata.read.BlobRanges;
import dev.strata.read.LayerReader;
import dev.strata.read.SpanReader;
import dev.strata.registry.ImageManifest;
import dev.strata.registry.RegistryClient;
import java.util.ArrayList;
import java.util.List;

/** An image resolved, indexed and merged: what {@code ls} and {@code get} work from. */
record LoadedImage(ImageManifest manifest, List<LayerIndex> indexes, ImageTree tree) {

  static LoadedImage load(GlobalOptions global, RegistryClient client, String reference)
      throws Exception {
    ImageManifest manifest = client.resolve(global.image(reference), global.platform());
    List<ImageIndexer.LayerResult> results =
        IndexCommand.indexImage(
            global, client, manifest, dev.strata.index.LayerIndexer.DEFAULT_SPAN_TARGET);
    List<LayerIndex> indexes = new ArrayList<>();
    List<LayerEntries> layers = new ArrayList<>();
    for (ImageIndexer.LayerResult r : results) {
      indexes.add(r.index());
      layers.add(
          new LayerEntries(r.layer().index(), r.layer().digest().toString(), r.index().entries()));
    }
    return new LoadedImage(manifest, indexes, ImageTree.merge(layers));
  }

  /** Reads layer {@code i}'s uncompressed bytes with range requests to the registry. */
  LayerReader reader(RegistryClient client, int layer) {
    LayerIndex index = indexes.get(layer);
    return new LayerReader(
        index,
        new SpanReader(
            BlobRanges.registry(client, manifest.ref().repository(), index.layerDigest())));
  }
}
