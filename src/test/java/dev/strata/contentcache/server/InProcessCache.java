package dev.strata.contentcache.server;

import dev.strata.testing.ContentCacheTestClient;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;

/** A ContentCache server on the in-process transport and a way to make clients of it. */
final class InProcessCache implements AutoCloseable {
  final ContentCacheServer server;
  private final String name = InProcessServerBuilder.generateName();

  InProcessCache(ServerOptions options) throws java.io.IOException {
    this.server = ContentCacheServer.start(InProcessServerBuilder.forName(name), options);
  }

  ManagedChannel channel() {
    return InProcessChannelBuilder.forName(name).build();
  }

  /** A client sending {@code token} (null: no authorization header). */
  ContentCacheTestClient client(String token) {
    return ContentCacheTestClient.on(channel(), token);
  }

  ContentCacheTestClient client() {
    return client(null);
  }

  @Override
  public void close() {
    server.close();
  }
}
