package dev.strata.contentcache.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Configures a {@link ContentCacheClient}. Every option but the servers has a default; {@link
 * #build()} fails fast on a bad combination.
 */
public final class ContentCacheClientBuilder {
  public static final Duration DEFAULT_READ_DEADLINE = Duration.ofSeconds(2);
  public static final Duration DEFAULT_LOOKUP_DEADLINE = Duration.ofSeconds(1);
  public static final Duration DEFAULT_STORE_IDLE_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(1);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
  public static final int DEFAULT_CHUNK_BYTES = 1 << 20;

  private final List<Endpoint> endpoints = new ArrayList<>();
  private @Nullable String token;
  private @Nullable Path trustedCertificates;
  private int replication = 1;
  private Duration readDeadline = DEFAULT_READ_DEADLINE;
  private Duration lookupDeadline = DEFAULT_LOOKUP_DEADLINE;
  private Duration storeIdleTimeout = DEFAULT_STORE_IDLE_TIMEOUT;
  private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
  private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
  private int chunkBytes = DEFAULT_CHUNK_BYTES;
  private InstantSource clock = InstantSource.system();
  private @Nullable ChannelFactory channelFactory;

  ContentCacheClientBuilder() {}

  /** Adds servers, each {@code HOST:PORT}. Their order does not matter for routing. */
  public ContentCacheClientBuilder servers(List<String> addresses) {
    addresses.forEach(this::server);
    return this;
  }

  /** Adds one server, {@code HOST:PORT} or {@code [V6]:PORT}. */
  public ContentCacheClientBuilder server(String address) {
    endpoints.add(Endpoint.parse(address));
    return this;
  }

  /** Sends {@code authorization: Bearer <token>} with every call. Default: no token. */
  public ContentCacheClientBuilder bearerToken(@Nullable String token) {
    this.token = token == null ? null : token.strip();
    return this;
  }

  /** Speaks TLS, trusting the CA / server certificates in this PEM file. Default: plaintext. */
  public ContentCacheClientBuilder trustCertificates(@Nullable Path pemFile) {
    this.trustedCertificates = pemFile;
    return this;
  }

  /** How many servers keep each content and reference (default 1; capped at the server count). */
  public ContentCacheClientBuilder replication(int replicas) {
    if (replicas < 1) {
      throw new IllegalArgumentException("replication must be at least 1: " + replicas);
    }
    this.replication = replicas;
    return this;
  }

  /** The deadline of one ranged read (GetContent). Default 2 s, sized for a 2 MiB span. */
  public ContentCacheClientBuilder readDeadline(Duration deadline) {
    this.readDeadline = positive(deadline, "read deadline");
    return this;
  }

  /** The deadline of HasContent, Get/PutReference and AcquireLease. Default 1 s. */
  public ContentCacheClientBuilder lookupDeadline(Duration deadline) {
    this.lookupDeadline = positive(deadline, "lookup deadline");
    return this;
  }

  /**
   * The longest an upload waits for a server to take the next message (flow control), or to confirm
   * the upload once ended; a server that takes longer is dropped from the upload and marked down.
   * Uploads have no overall deadline. Default 30 s.
   */
  public ContentCacheClientBuilder storeIdleTimeout(Duration timeout) {
    this.storeIdleTimeout = positive(timeout, "store idle timeout");
    return this;
  }

  /**
   * How long a failed server is skipped: {@code initial}, doubling per failed probe to {@code max}.
   */
  public ContentCacheClientBuilder backoff(Duration initial, Duration max) {
    this.initialBackoff = positive(initial, "initial back-off");
    this.maxBackoff = positive(max, "maximum back-off");
    if (max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("maximum back-off " + max + " below initial " + initial);
    }
    return this;
  }

  /** Size of the upload messages (default 1 MiB; servers accept messages up to 4 MiB). */
  public ContentCacheClientBuilder chunkBytes(int bytes) {
    if (bytes < 1 || bytes > 4 << 20) {
      throw new IllegalArgumentException("chunk size must be 1 byte to 4 MiB: " + bytes);
    }
    this.chunkBytes = bytes;
    return this;
  }

  /** The clock back-off periods are measured on (tests move it by hand). Default: system. */
  public ContentCacheClientBuilder clock(InstantSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** How channels are opened (tests: in-process channels). Default: dial {@code HOST:PORT}. */
  public ContentCacheClientBuilder channelFactory(ChannelFactory factory) {
    this.channelFactory = Objects.requireNonNull(factory, "channel factory");
    return this;
  }

  /**
   * Opens one channel per server (lazily connected: nothing is dialled yet).
   *
   * @throws IllegalStateException no server, or the same server twice
   * @throws UncheckedIOException the certificate file cannot be read
   */
  public ContentCacheClient build() {
    if (endpoints.isEmpty()) {
      throw new IllegalStateException("no ContentCache server given");
    }
    if (endpoints.stream().distinct().count() != endpoints.size()) {
      throw new IllegalStateException("a ContentCache server is given twice: " + endpoints);
    }
    ChannelCredentials credentials = channelCredentials();
    ChannelFactory factory =
        channelFactory != null ? channelFactory : ContentCacheClientBuilder::dial;
    BearerToken callCredentials = token == null || token.isEmpty() ? null : new BearerToken(token);
    List<CacheServer> servers = new ArrayList<>();
    for (Endpoint endpoint : endpoints) {
      EndpointHealth health = new EndpointHealth(endpoint, clock, initialBackoff, maxBackoff);
      servers.add(
          new CacheServer(endpoint, factory.open(endpoint, credentials), health, callCredentials));
    }
    ClientConfig config =
        new ClientConfig(replication, readDeadline, lookupDeadline, storeIdleTimeout, chunkBytes);
    return new ContentCacheClient(servers, config);
  }

  private ChannelCredentials channelCredentials() {
    if (trustedCertificates == null) {
      return InsecureChannelCredentials.create();
    }
    if (!Files.isReadable(trustedCertificates)) {
      throw new UncheckedIOException(
          new IOException("cannot read the ContentCache CA file " + trustedCertificates));
    }
    try {
      return TlsChannelCredentials.newBuilder().trustManager(trustedCertificates.toFile()).build();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot use the ContentCache CA file " + trustedCertificates, e);
    }
  }

  private static ManagedChannel dial(Endpoint endpoint, ChannelCredentials credentials) {
    return Grpc.newChannelBuilderForAddress(endpoint.host(), endpoint.port(), credentials)
        .maxInboundMessageSize(ContentCacheClient.MAX_INBOUND_MESSAGE_BYTES)
        .build();
  }

  private static Duration positive(Duration d, String what) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(what + " must be positive: " + d);
    }
    return d;
  }
}
