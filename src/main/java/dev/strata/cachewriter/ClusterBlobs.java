package dev.strata.cachewriter;

import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.registry.BlobCache;
import dev.strata.registry.Digest;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Image configs shared through the ContentCache, where a config's digest is its content hash. */
public final class ClusterBlobs implements BlobCache.Shared {
  private static final Logger log = LoggerFactory.getLogger(ClusterBlobs.class);
  private static final long MAX_BLOB_BYTES = 8L << 20;

  private final ContentCacheClient client;

  public ClusterBlobs(ContentCacheClient client) {
    this.client = client;
  }

  @Override
  public Optional<byte[]> get(Digest digest) {
    try {
      return client.readAll(digest.toString(), MAX_BLOB_BYTES);
    } catch (IOException e) {
      log.debug("ContentCache lookup of blob {} failed: {}", digest, e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public void put(Digest digest, byte[] bytes) {
    try {
      client.store(digest.toString(), null, bytes);
    } catch (IOException e) {
      log.debug("publishing blob {} to the ContentCache failed: {}", digest, e.getMessage());
    }
  }
}
