package dev.strata.contentcache.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Refuses every call without {@code authorization: Bearer <token>} with UNAUTHENTICATED. The
 * comparison takes the same time whatever the mismatch. The gRPC health service stays open so load
 * balancers and probes need no token; it tells nothing but "serving".
 */
final class BearerTokenInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String PREFIX = "Bearer ";

  private final byte[] expected;

  BearerTokenInterceptor(String token) {
    if (token.isBlank()) {
      throw new IllegalArgumentException("the token is empty");
    }
    this.expected = (PREFIX + token).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (HealthGrpc.SERVICE_NAME.equals(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    String presented = headers.get(AUTHORIZATION);
    byte[] actual = presented == null ? new byte[0] : presented.getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(expected, actual)) {
      call.close(
          Status.UNAUTHENTICATED.withDescription(
              presented == null ? "missing bearer token" : "wrong bearer token"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
