package dev.strata.read;

import dev.strata.registry.Digest;
import dev.strata.registry.RegistryClient;
import dev.strata.registry.Repository;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Where a layer blob's compressed bytes come from: the registry, or a local copy. */
@FunctionalInterface
public interface BlobRanges {
  /** Exactly {@code length} bytes of the blob from {@code offset} (fewer only at its end). */
  InputStream open(long offset, long length) throws IOException;

  /** Ranges of a blob in a registry, one HTTP Range request each. */
  static BlobRanges registry(RegistryClient client, Repository repository, Digest blob) {
    return (offset, length) -> client.openBlobRange(repository, blob, offset, length);
  }

  /** Ranges of a local blob file (tests, benchmarks, `strata index` of a local file). */
  static BlobRanges file(Path blob) {
    return (offset, length) -> dev.strata.io.FileRanges.open(blob, offset, length);
  }
}
