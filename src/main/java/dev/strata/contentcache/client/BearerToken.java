package dev.strata.contentcache.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import java.util.concurrent.Executor;

/**
 * Sends {@code authorization: Bearer <token>} with every call. Unlike gRPC's OAuth credentials it
 * also sends it over plaintext (a cluster network, tests on loopback): use TLS where that matters.
 */
final class BearerToken extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String token;

  BearerToken(String token) {
    if (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw new IllegalArgumentException("a bearer token must be printable ASCII without spaces");
    }
    this.token = token;
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    applier.apply(headers);
  }

  @Override
  public String toString() {
    return "BearerToken[***]"; // never the token itself
  }
}
