package dev.strata.contentcache.server;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;

/**
 * Publishing leases: at most one holder per key until its lease expires. Acquiring is granted when
 * the key is free, its lease expired, or the same holder asks again (a renewal, which extends it).
 * Leases live in memory only: after a restart every key is free, which at worst lets two nodes
 * publish the same content once (harmless: content is addressed by its hash).
 */
public final class LeaseTable {
  /** The answer to an acquire: who holds the key now, and until when. */
  public record Lease(boolean granted, String holder, Instant expiresAt) {}

  static final Duration MAX_TTL = Duration.ofHours(24);
  private static final int PURGE_ABOVE = 10_000;

  private record Held(String holder, Instant expiresAt) {}

  private final InstantSource clock;
  private final Map<String, Held> held = new HashMap<>(); // guarded by this

  public LeaseTable(InstantSource clock) {
    this.clock = clock;
  }

  public synchronized Lease acquire(String key, String holder, Duration ttl) {
    Names.checkName("lease key", key);
    Names.checkHolder(holder);
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException("lease ttl must be between 1 ms and " + MAX_TTL);
    }
    Instant now = clock.instant();
    Held current = held.get(key);
    if (current != null && now.isBefore(current.expiresAt()) && !current.holder().equals(holder)) {
      return new Lease(false, current.holder(), current.expiresAt());
    }
    Held granted = new Held(holder, now.plus(ttl));
    held.put(key, granted);
    if (held.size() > PURGE_ABOVE) {
      held.values().removeIf(lease -> !now.isBefore(lease.expiresAt()));
    }
    return new Lease(true, holder, granted.expiresAt());
  }
}
