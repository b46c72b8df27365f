/**
 * The ContentCache server: a cluster-wide, content-addressed store of decompressed layers and layer
 * indexes, served over gRPC ({@code strata.contentcache.v1.ContentCache}).
 *
 * <p>{@link dev.strata.contentcache.server.ContentStore} keeps content on disk (LRU-bounded,
 * restart-safe, nothing partial), {@link dev.strata.contentcache.server.ReferenceStore} small named
 * references, {@link dev.strata.contentcache.server.LeaseTable} publishing leases; {@link
 * dev.strata.contentcache.server.ContentCacheService} speaks the protocol and {@link
 * dev.strata.contentcache.server.ContentCacheServer} assembles it all on a given {@code
 * ServerBuilder}.
 */
package dev.strata.contentcache.server;
