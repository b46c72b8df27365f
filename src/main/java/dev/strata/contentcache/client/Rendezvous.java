package dev.strata.contentcache.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * Rendezvous (highest-random-weight) hashing: every node scores every key, and a key's route is the
 * nodes by descending score. Adding a node moves to it only the keys it now wins (about 1/(N+1));
 * removing one moves only the keys it owned, each to its next-best node. Unlike a hash ring there
 * are no virtual nodes to tune, and the whole route (not just the owner) is stable, which is what
 * replication needs: replicas are simply the first R of the route.
 *
 * <p>Scores depend only on the node ids and the key, so every client in a cluster routes alike
 * whatever order its server list is in.
 */
public final class Rendezvous<N> {
  private record Scored<N>(N node, String id, long score) {}

  private final List<N> nodes;
  private final List<String> ids;
  private final long[] seeds;

  /**
   * @param id a node's stable identity (for servers: {@code HOST:PORT}); ids must be distinct
   */
  public Rendezvous(List<N> nodes, Function<? super N, String> id) {
    this.nodes = List.copyOf(nodes);
    this.ids = this.nodes.stream().map(id).map(String.class::cast).toList();
    if (ids.stream().distinct().count() != ids.size()) {
      throw new IllegalArgumentException("duplicate node ids: " + ids);
    }
    this.seeds = ids.stream().mapToLong(Rendezvous::hash).toArray();
  }

  /** All nodes, the key's preferred node first. */
  public List<N> rank(String key) {
    long keyHash = hash(key);
    List<Scored<N>> scored = new ArrayList<>(nodes.size());
    for (int i = 0; i < nodes.size(); i++) {
      scored.add(new Scored<>(nodes.get(i), ids.get(i), mix(seeds[i] ^ keyHash)));
    }
    // Ties (astronomically rare) are broken by id so the order never depends on list order.
    scored.sort(
        Comparator.<Scored<N>>comparingLong(Scored::score)
            .thenComparing(Scored::id, Comparator.reverseOrder())
            .reversed());
    return scored.stream().map(Scored::node).toList();
  }

  /** The node that owns {@code key}. */
  public N owner(String key) {
    return rank(key).getFirst();
  }

  public int size() {
    return nodes.size();
  }

  /** FNV-1a over the UTF-8 bytes, then a full avalanche so nearby strings score independently. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  /** MurmurHash3's 64-bit finalizer. */
  static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
