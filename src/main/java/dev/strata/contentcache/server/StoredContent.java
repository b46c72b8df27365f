package dev.strata.contentcache.server;

import dev.strata.registry.Digest;

/** A content the store holds whole: its sha256 and its size in bytes. */
public record StoredContent(Digest hash, long size) {}
