package dev.strata.contentcache.client;

import dev.strata.contentcache.v1.ContentCacheGrpc;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** One server: its channel (created once) and what the client knows of its health. */
final class CacheServer {
  final Endpoint endpoint;
  final ManagedChannel channel;
  final EndpointHealth health;
  private final @Nullable CallCredentials credentials;

  CacheServer(
      Endpoint endpoint,
      ManagedChannel channel,
      EndpointHealth health,
      @Nullable CallCredentials credentials) {
    this.endpoint = endpoint;
    this.channel = channel;
    this.health = health;
    this.credentials = credentials;
  }

  /**
   * Whether to call this server now. A probe of a server that was down first cuts short the
   * channel's own reconnect back-off: otherwise the channel could still be waiting to reconnect and
   * fail the probe although the server is back.
   */
  EndpointHealth.Admission admit() {
    EndpointHealth.Admission admission = health.admit();
    if (admission == EndpointHealth.Admission.PROBE) {
      channel.resetConnectBackoff();
    }
    return admission;
  }

  /**
   * A stub for one blocking call. A probe waits for the connection (within the deadline) instead of
   * failing fast: after failures the channel reports TRANSIENT_FAILURE until it has reconnected
   * ("sticky" failure, gRFC A62), so a fail-fast probe would find a restarted server still down.
   */
  ContentCacheGrpc.ContentCacheBlockingStub blocking(Duration deadline, boolean probe) {
    ContentCacheGrpc.ContentCacheBlockingStub stub = ContentCacheGrpc.newBlockingStub(channel);
    if (probe) {
      stub = stub.withWaitForReady();
    }
    if (credentials != null) {
      stub = stub.withCallCredentials(credentials);
    }
    return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** No deadline: uploads may take minutes; {@link ContentUpload} bounds each wait instead. */
  ContentCacheGrpc.ContentCacheStub async() {
    ContentCacheGrpc.ContentCacheStub stub = ContentCacheGrpc.newStub(channel);
    return credentials == null ? stub : stub.withCallCredentials(credentials);
  }

  @Override
  public String toString() {
    return endpoint.toString();
  }
}
