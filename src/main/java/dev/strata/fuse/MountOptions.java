package dev.strata.fuse;

import java.time.Duration;
import java.util.Objects;

/**
 * How a filesystem is mounted. Whatever these say, a mount is read-only ({@code ro}), never honours
 * device files ({@code nodev}) and lets the kernel check permissions from the modes the filesystem
 * reports ({@code default_permissions}).
 *
 * @param allowOther let users other than the mounting one see the mount ({@code allow_other})
 * @param honourSetuid honour setuid/setgid bits of files in the image (otherwise {@code nosuid})
 * @param fsName what {@code /proc/mounts} and {@code df} show as the mount's source, e.g. {@code
 *     strata:registry/repo:tag}; no commas, backslashes or whitespace
 * @param cacheTimeout how long the kernel may cache attributes and name lookups; the content of an
 *     image never changes, so long is right
 * @param negativeTimeout how long the kernel may remember that a name does not exist
 * @param mountTimeout how long {@link FuseMount#mount} waits for the mount to answer
 */
public record MountOptions(
    boolean allowOther,
    boolean honourSetuid,
    String fsName,
    Duration cacheTimeout,
    Duration negativeTimeout,
    Duration mountTimeout) {

  /** What {@code /proc/mounts} shows as the type: {@code fuse.strata}. */
  public static final String SUBTYPE = "strata";

  public static final Duration DEFAULT_CACHE_TIMEOUT = Duration.ofDays(1);
  public static final Duration DEFAULT_MOUNT_TIMEOUT = Duration.ofSeconds(30);

  public MountOptions {
    Objects.requireNonNull(fsName, "fsName");
    Objects.requireNonNull(cacheTimeout, "cacheTimeout");
    Objects.requireNonNull(negativeTimeout, "negativeTimeout");
    Objects.requireNonNull(mountTimeout, "mountTimeout");
    if (fsName.isEmpty()) {
      throw new IllegalArgumentException("fsName is empty");
    }
    for (int i = 0; i < fsName.length(); i++) {
      char c = fsName.charAt(i);
      if (c == ',' || c == '\\' || Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "fsName may not contain commas, backslashes, whitespace or control characters: "
                + fsName);
      }
    }
    if (cacheTimeout.isNegative() || negativeTimeout.isNegative()) {
      throw new IllegalArgumentException("cache timeouts must not be negative");
    }
    if (mountTimeout.isNegative() || mountTimeout.isZero()) {
      throw new IllegalArgumentException("mountTimeout must be positive: " + mountTimeout);
    }
  }

  /**
   * Only the mounting user, {@code nosuid}, a day of attribute, lookup and negative-lookup caching,
   * 30 s to come up.
   */
  public static MountOptions defaults(String fsName) {
    return new MountOptions(
        false, false, fsName, DEFAULT_CACHE_TIMEOUT, DEFAULT_CACHE_TIMEOUT, DEFAULT_MOUNT_TIMEOUT);
  }

  public MountOptions withAllowOther(boolean allow) {
    return new MountOptions(
        allow, honourSetuid, fsName, cacheTimeout, negativeTimeout, mountTimeout);
  }

  public MountOptions withHonourSetuid(boolean honour) {
    return new MountOptions(
        allowOther, honour, fsName, cacheTimeout, negativeTimeout, mountTimeout);
  }

  public MountOptions withMountTimeout(Duration timeout) {
    return new MountOptions(
        allowOther, honourSetuid, fsName, cacheTimeout, negativeTimeout, timeout);
  }
}
