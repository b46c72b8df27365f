package dev.strata.contentcache.client;

import io.grpc.Status;
import java.io.IOException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A ContentCache call that did not succeed and was not a plain miss: a server refused it
 * (INVALID_ARGUMENT, FAILED_PRECONDITION when stored bytes did not hash to the expected hash,
 * UNAUTHENTICATED, ...), or a write reached no server (UNAVAILABLE, DEADLINE_EXCEEDED). Reads never
 * throw this for an unavailable server: they skip it and report a miss.
 */
public class ContentCacheException extends IOException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final @Nullable Endpoint endpoint;

  public ContentCacheException(
      Status.Code code, @Nullable Endpoint endpoint, String message, @Nullable Throwable cause) {
    super(message, cause);
    this.code = code;
    this.endpoint = endpoint;
  }

  /** The gRPC status the server answered, or the one that describes a local failure. */
  public Status.Code code() {
    return code;
  }

  /** The server that answered, when one did. */
  public Optional<Endpoint> endpoint() {
    return Optional.ofNullable(endpoint);
  }
}
