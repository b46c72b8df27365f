package dev.strata.mount;

import dev.strata.fuse.FuseBinding;
import java.nio.file.Path;

/**
 * What to mount and how.
 *
 * @param layers one directory per layer (overlayfs lower dirs) instead of the merged view
 * @param memoryCacheBytes bound of the in-memory hot-span tier
 * @param cacheDir the disk span cache; {@code cacheMaxBytes} bounds it
 */
public record MountSpec(
    Path mountpoint,
    boolean layers,
    boolean allowOther,
    FuseBinding binding,
    Path cacheDir,
    long cacheMaxBytes,
    long memoryCacheBytes,
    Prefetch prefetch) {

  /** What to fetch in the background once the mount answers. */
  public enum Prefetch {
    NONE,
    ALL
  }
}
