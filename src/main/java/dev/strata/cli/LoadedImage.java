package dev.strata.cli;

import dev.strata.image.ImageTree;
import dev.strata.image.LayerEntries;
import dev.strata.index.ImageIndexer;
import dev.strata.index.LayerIndex;
import dev.strata.read.ImageContent;
import dev.strata.registry.ImageManifest;
import dev.strata.registry.RegistryClient;
import java.util.ArrayList;
import java.util.List;

/** An image resolved, indexed and merged: what {@code ls} and {@code get} work from. */
record LoadedImage(ImageManifest manifest, List<LayerIndex> indexes, ImageTree tree) {

  static LoadedImage load(
      GlobalOptions global,
      RegistryClient client,
      java.util.Optional<dev.strata.contentcache.client.ContentCacheClient> contentCache,
      String reference)
      throws Exception {
    ImageManifest manifest = global.node(contentCache).resolve(client, global.image(reference));
    List<ImageIndexer.LayerResult> results =
        IndexCommand.indexImage(
            global,
            client,
            contentCache,
            manifest,
            dev.strata.index.LayerIndexer.DEFAULT_SPAN_TARGET);
    List<LayerIndex> indexes = new ArrayList<>();
    List<LayerEntries> layers = new ArrayList<>();
    for (ImageIndexer.LayerResult r : results) {
      indexes.add(r.index());
      layers.add(
          new LayerEntries(r.layer().index(), r.layer().digest().toString(), r.index().entries()));
    }
    return new LoadedImage(manifest, indexes, ImageTree.merge(layers));
  }

  /** The image's contents through the node's read path (memory, disk, ContentCache, registry). */
  ImageContent content(
      GlobalOptions global,
      RegistryClient client,
      java.util.Optional<dev.strata.contentcache.client.ContentCacheClient> contentCache)
      throws java.io.IOException {
    return global.node(contentCache).content(client, manifest, indexes, 64L << 20);
  }
}
