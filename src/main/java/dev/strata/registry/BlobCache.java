package dev.strata.registry;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
    Path file = pathOf(digest);
    Files.createDirectories(file.getParent());
    Path temp = Files.createTempFile(file.getParent(), ".tmp-", "");
    try {
      Files.write(temp, bytes);
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
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
