package dev.strata.contentcache.client;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;

/**
 * Opens the channel to one server. The default dials {@code HOST:PORT} with {@code
 * Grpc.newChannelBuilderForAddress}; tests and embedders may return in-process channels instead
 * (the bearer token is attached per call, so it works with any channel).
 */
@FunctionalInterface
public interface ChannelFactory {
  /**
   * @param credentials TLS trusting the configured certificates, or plaintext
   */
  ManagedChannel open(Endpoint endpoint, ChannelCredentials credentials);
}
