package dev.strata.contentcache.client;

import java.util.List;

/**
 * Content a server has stored.
 *
 * @param hash the hash the server computed ({@code sha256:<hex>})
 * @param size its size in bytes
 * @param storedOn the servers that confirmed it (at least one; fewer than the replication factor
 *     when some replicas failed)
 */
public record StoredContent(String hash, long size, List<Endpoint> storedOn) {
  public StoredContent {
    storedOn = List.copyOf(storedOn);
  }
}
