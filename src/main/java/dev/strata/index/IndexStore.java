package dev.strata.index;

import dev.strata.registry.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Layer indexes on local disk, keyed by layer digest: {@code <state>/indexes/sha256/<hex>}. Written
 * to a temporary name and renamed, so a reader never sees half an index; an index that cannot be
 * read (corrupt, or of another version) is treated as absent, to be rebuilt.
 */
public final class IndexStore {
  private static final Logger log = LoggerFactory.getLogger(IndexStore.class);

  private final Path root;

  public IndexStore(Path stateDir) {
    this.root = stateDir.resolve("indexes");
  }

  public Path pathOf(Digest layer) {
    return root.resolve(layer.algorithm()).resolve(layer.hex());
  }

  public Optional<LayerIndex> load(Digest layer) throws IOException {
    Path file = pathOf(layer);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      LayerIndex index = LayerIndexCodec.decode(Files.readAllBytes(file));
      if (!index.layerDigest().equals(layer)) {
        log.warn("index file {} holds layer {}; rebuilding", file, index.layerDigest());
        return Optional.empty();
      }
      return Optional.of(index);
    } catch (IndexFormatException e) {
      log.warn("ignoring index {}: {}; it will be rebuilt", file, e.getMessage());
      return Optional.empty();
    }
  }

  /** Stores an index atomically; returns its encoded size. */
  public long save(LayerIndex index) throws IOException {
    return save(index, LayerIndexCodec.encode(index));
  }

  /** Stores an index already encoded ({@code encoded} must be {@code index}'s encoding). */
  public long save(LayerIndex index, byte[] encoded) throws IOException {
    dev.strata.io.AtomicFiles.write(pathOf(index.layerDigest()), encoded);
    return encoded.length;
  }
}
