package dev.strata.contentcache.server;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The contract's status codes for the failures the server meets (see contentcache.proto). */
final class Statuses {
  private static final Logger log = LoggerFactory.getLogger(Statuses.class);

  private Statuses() {}

  static StatusRuntimeException of(Throwable failure) {
    return switch (failure) {
      case StatusRuntimeException e -> e;
      case StatusException e -> e.getStatus().asRuntimeException(e.getTrailers());
      case IllegalArgumentException e ->
          Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
      case HashMismatchException e ->
          Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException();
      case ContentTooLargeException e ->
          Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException();
      default -> {
        log.warn("ContentCache call failed", failure);
        yield Status.INTERNAL
            .withDescription(failure.toString())
            .withCause(failure)
            .asRuntimeException();
      }
    };
  }

  static StatusRuntimeException notFound(String what) {
    return Status.NOT_FOUND.withDescription(what + " is not here").asRuntimeException();
  }
}
