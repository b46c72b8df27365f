package dev.strata.contentcache.client;

import io.grpc.Status;

/** Applies the status contract to a server's health and the counters, in one place. */
final class Failures {
  private final Counters counters;

  Failures(Counters counters) {
    this.counters = counters;
  }

  /**
   * Records how a call to {@code server} ended with {@code status} and describes it as an exception
   * for the caller to throw or keep: a miss leaves the server up, a {@link StatusKind#DOWN} status
   * marks it down, an error status counts as an error (the server answered, so it stays up).
   */
  ContentCacheException record(CacheServer server, String what, Status status, Throwable cause) {
    String detail = describe(status);
    switch (StatusKind.of(status.getCode())) {
      case MISS -> server.health.succeeded();
      case DOWN -> serverFailed(server, detail);
      case ERROR -> {
        server.health.succeeded();
        counters.errors.increment();
        if (status.getCode() == Status.Code.UNAUTHENTICATED) {
          server.health.unauthenticated(detail);
        }
      }
    }
    return new ContentCacheException(
        status.getCode(), server.endpoint, what + " on " + server.endpoint + ": " + detail, cause);
  }

  void serverFailed(CacheServer server, String reason) {
    counters.endpointFailures.increment();
    server.health.failed(reason);
  }

  static String describe(Status status) {
    String description = status.getDescription();
    return description == null || description.isBlank()
        ? status.getCode().toString()
        : status.getCode() + " " + description;
  }
}
