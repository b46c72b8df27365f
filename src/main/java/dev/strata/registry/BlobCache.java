package dev.strata.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Small immutable blobs (image configs) kept on local disk by digest, so that resolving an image
 * again reads no blob from the registry. Entries are verified on every read and written atomically;
 * a corrupt entry is dropped and fetched again.
 */
public final class BlobCache {
  private final Path root;

  public BlobCache(Path root) {
    this.root = root;
  }

  public Optional<byte[]> get(Digest digest) throws IOException {
    Path file = pathOf(digest);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    byte[] bytes = Files.readAllBytes(file);
    if (!digest.sameAlgorithm(hash(digest, bytes)).equals(digest)) {
      Files.deleteIfExists(file);
      return Optional.empty();
    }
    return Optional.of(bytes);
  }

  /** Stores verified bytes. */
  public void put(Digest digest, byte[] bytes) throws IOException {
    dev.strata.io.AtomicFiles.write(pathOf(digest), bytes);
  }

  private Path pathOf(Digest digest) {
    return root.resolve(digest.algorithm()).resolve(digest.hex());
  }

  private static java.security.MessageDigest hash(Digest digest, byte[] bytes) {
    java.security.MessageDigest hasher = digest.newHasher();
    hasher.update(bytes);
    return hasher;
  }
}
