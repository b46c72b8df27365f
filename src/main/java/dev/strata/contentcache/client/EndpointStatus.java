package dev.strata.contentcache.client;

import java.time.Instant;
import java.util.Optional;

/**
 * What the client knows about one server's availability, for metrics, {@code /healthz} and tests.
 *
 * @param up whether calls go to it (false while it is being skipped after a failure)
 * @param downUntil when the next call may probe it again, while it is down
 * @param consecutiveFailures failures since it last answered (0 when up)
 * @param totalFailures failures since the client started
 * @param lastFailure why it last failed, if it ever did
 */
public record EndpointStatus(
    Endpoint endpoint,
    boolean up,
    Optional<Instant> downUntil,
    int consecutiveFailures,
    long totalFailures,
    Optional<String> lastFailure) {}
