/**
 * The cache writer: what a node publishes to the cluster's ContentCache so that other nodes need
 * not pay for a layer again — the decompressed layer (keyed by diff ID, written in the same pass
 * that indexes it, or later in the background) and the layer index (content plus a named
 * reference). Leases keep it to one node per layer at a time.
 */
package dev.strata.cachewriter;
