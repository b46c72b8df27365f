package dev.strata.contentcache.client;

import java.time.Duration;

/** The call settings a built client uses (see {@link ContentCacheClientBuilder} for each). */
record ClientConfig(
    int replication,
    Duration readDeadline,
    Duration lookupDeadline,
    Duration storeIdleTimeout,
    int chunkBytes) {}
