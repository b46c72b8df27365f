package dev.strata.contentcache.server;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;

/**
 * What a {@link ContentCacheServer} serves: the store directory, its bound on disk, the bytes of
 * the in-memory hot cache (0: off), the bearer token calls must present (empty: none) and the clock
 * of leases and LRU times.
 */
public record ServerOptions(
    Path dir, long maxBytes, long memoryBytes, Optional<String> token, InstantSource clock) {
  public static final long DEFAULT_MEMORY_BYTES = 256L << 20;

  public ServerOptions {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("max bytes must be positive, was " + maxBytes);
    }
    if (memoryBytes < 0) {
      throw new IllegalArgumentException("memory bytes must not be negative, was " + memoryBytes);
    }
  }

  public static ServerOptions of(Path dir, long maxBytes) {
    return new ServerOptions(
        dir, maxBytes, DEFAULT_MEMORY_BYTES, Optional.empty(), InstantSource.system());
  }

  public ServerOptions withMemoryBytes(long bytes) {
    return new ServerOptions(dir, maxBytes, bytes, token, clock);
  }

  public ServerOptions withToken(String bearerToken) {
    return new ServerOptions(dir, maxBytes, memoryBytes, Optional.of(bearerToken), clock);
  }

  public ServerOptions withClock(InstantSource instantSource) {
    return new ServerOptions(dir, maxBytes, memoryBytes, token, instantSource);
  }
}
