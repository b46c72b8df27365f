/**
 * The client of the cluster ContentCache (tier 2 of the read path, and where the cache writer
 * publishes decompressed layers and layer indexes).
 *
 * <p>{@link dev.strata.contentcache.client.ContentCacheClient} routes every key over the servers by
 * rendezvous hashing ({@link dev.strata.contentcache.client.Rendezvous}), keeps the first R of the
 * route as the key's replicas, and skips a server that failed (unavailable, timed out) for a
 * back-off period so a dead cache costs a read at most one deadline. A miss is never an error;
 * other refusals are a {@link dev.strata.contentcache.client.ContentCacheException}. Content is
 * published as a stream while it is produced ({@link
 * dev.strata.contentcache.client.ContentUpload}).
 */
package dev.strata.contentcache.client;
