package dev.strata.contentcache.client;

/**
 * Counters since the client started (a snapshot; the values only grow).
 *
 * @param reads content reads (by read and readAll)
 * @param hits reads answered with content
 * @param misses reads no routed server had (or none could answer)
 * @param bytesRead bytes returned by hits
 * @param endpointFailures calls that failed because a server was unavailable, timed out or answered
 *     wrongly (each marks the server down)
 * @param skips calls not made because the server was down
 * @param errors calls a server refused with an error status (not marked down)
 * @param stores uploads committed on at least one server
 * @param storeFailures uploads that reached no server or were refused everywhere
 * @param bytesStored bytes of committed uploads (counted once, whatever the replication)
 */
public record ClientStats(
    long reads,
    long hits,
    long misses,
    long bytesRead,
    long endpointFailures,
    long skips,
    long errors,
    long stores,
    long storeFailures,
    long bytesStored) {}
