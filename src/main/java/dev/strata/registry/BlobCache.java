package dev.strata.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Small immutable blobs (image configs) kept on local disk by digest, so that resolving an image
 * again reads no blob from the registry. Entries are verified on every read and written atomically;
 * a corrupt entry is dropped and fetched again. Behind the local copy there may be a cluster's (the
 * ContentCache: a config's digest is its content hash), so a node new to an image need not ask the
 * registry for its config either.
 */
public final class BlobCache {
  /** Blobs shared by a cluster. Best effort: a failure is a miss; what it returns is verified. */
  public interface Shared {
    Optional<byte[]> get(Digest digest);

    void put(Digest digest, byte[] bytes);
  }

  private final Path root;
  private final Shared shared;

  public BlobCache(Path root) {
    this(root, null);
  }

  public BlobCache(Path root, Shared shared) {
    this.root = root;
    this.shared = shared;
  }

  public Optional<byte[]> get(Digest digest) throws IOException {
    Path file = pathOf(digest);
    if (Files.isRegularFile(file)) {
      byte[] bytes = Files.readAllBytes(file);
      if (matches(digest, bytes)) {
        return Optional.of(bytes);
      }
      Files.deleteIfExists(file);
    }
    if (shared != null) {
      Optional<byte[]> fromCluster = shared.get(digest);
      if (fromCluster.isPresent() && matches(digest, fromCluster.get())) {
        dev.strata.io.AtomicFiles.write(pathOf(digest), fromCluster.get());
        return fromCluster;
      }
    }
    return Optional.empty();
  }

  /** Stores verified bytes, here and in the cluster's cache. */
  public void put(Digest digest, byte[] bytes) throws IOException {
    dev.strata.io.AtomicFiles.write(pathOf(digest), bytes);
    if (shared != null) {
      shared.put(digest, bytes);
    }
  }

  private static boolean matches(Digest digest, byte[] bytes) {
    return digest.sameAlgorithm(hash(digest, bytes)).equals(digest);
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
