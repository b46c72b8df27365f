package dev.strata.contentcache.client;

import java.time.Instant;

/**
 * A server's answer to a lease request.
 *
 * @param granted whether the lease now belongs to the requesting holder
 * @param holder who holds the lease (the requester when granted, someone else otherwise)
 * @param expiresAt when the current holder's lease ends
 * @param server the server that decided
 */
public record Lease(
    String key, boolean granted, String holder, Instant expiresAt, Endpoint server) {}
