package dev.strata.contentcache.client;

import io.grpc.Status;

/** How the client treats a status a call ended with (see the proto's status contract). */
enum StatusKind {
  /** Not there: fall through to the next replica or tier. The server is fine. */
  MISS,
  /** The server cannot answer now: mark it down and skip it for a back-off period. */
  DOWN,
  /** The server answered with a refusal: report it to the caller; the server stays up. */
  ERROR;

  static StatusKind of(Status.Code code) {
    return switch (code) {
      case NOT_FOUND -> MISS;
      // UNKNOWN and INTERNAL are what a broken transport or a crashing handler look like from
      // here; CANCELLED that we did not ask for means the server or a proxy dropped the call.
      case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, UNKNOWN, INTERNAL, DATA_LOSS -> DOWN;
      default -> ERROR;
    };
  }
}
