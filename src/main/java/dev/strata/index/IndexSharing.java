package dev.strata.index;

import dev.strata.registry.LayerDescriptor;
import java.util.Optional;

/**
 * The cluster's part in indexing (the ContentCache): indexes other nodes built, and a place to
 * publish what this node builds — the index and, in the same pass, the decompressed layer — so that
 * only the first node of a cluster pays for a layer.
 *
 * <p>Sharing is best effort: an unavailable or broken cache is a miss and never fails indexing.
 */
public interface IndexSharing {
  IndexSharing NONE =
      new IndexSharing() {
        @Override
        public Optional<LayerIndex> find(LayerDescriptor layer) {
          return Optional.empty();
        }

        @Override
        public Publication publish(LayerDescriptor layer) {
          return Publication.NONE;
        }
      };

  /**
   * The layer's index if another node published one (checked against the layer's digest and diff
   * ID). May wait a while for a node that is building it right now.
   */
  Optional<LayerIndex> find(LayerDescriptor layer);

  /**
   * Opened before this node streams the layer to index it: it sees the uncompressed stream as an
   * {@link LayerIndexer.Observer}. {@link Publication#built} commits; closing without it aborts, so
   * a failed pass publishes nothing.
   */
  Publication publish(LayerDescriptor layer);

  /** One layer being indexed and published. */
  interface Publication extends LayerIndexer.Observer, AutoCloseable {
    Publication NONE = new Publication() {};

    /** The pass succeeded (digest and diff ID checked): commit the layer, publish the index. */
    default void built(LayerIndex index, byte[] encodedIndex) {}

    /** Aborts what was not committed. */
    @Override
    default void close() {}
  }
}
