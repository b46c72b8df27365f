package dev.strata.contentcache.client;

import com.google.protobuf.ByteString;
import dev.strata.contentcache.v1.AcquireLeaseRequest;
import dev.strata.contentcache.v1.AcquireLeaseResponse;
import dev.strata.contentcache.v1.ContentChunk;
import dev.strata.contentcache.v1.GetContentRequest;
import dev.strata.contentcache.v1.GetReferenceRequest;
import dev.strata.contentcache.v1.HasContentRequest;
import dev.strata.contentcache.v1.HasContentResponse;
import dev.strata.contentcache.v1.PutReferenceRequest;
import dev.strata.contentcache.v1.StoreContentHeader;
import io.grpc.ConnectivityState;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The ContentCache client: routes each key to its servers by rendezvous hashing and calls them with
 * a deadline, skipping servers that recently failed. Blocking; meant for virtual threads. Create
 * one per process with {@link #builder()} and share it; {@link #close()} closes the channels.
 *
 * <p>What each outcome becomes, for every operation:
 *
 * <ul>
 *   <li>NOT_FOUND (or "not present") is a miss: the next replica is tried, then the result is empty
 *       / false.
 *   <li>UNAVAILABLE, DEADLINE_EXCEEDED, a broken transport, or a response of the wrong length mark
 *       the server down: it is skipped without a call for a back-off period (1 s doubling to 30 s
 *       by default), and the next replica is tried. A read whose servers are all down is a miss, so
 *       a dead cache costs a read at most one deadline, and then nothing.
 *   <li>Any other status (INVALID_ARGUMENT, FAILED_PRECONDITION, UNAUTHENTICATED, ...) is a refusal
 *       by a live server: the next replica is still tried, and if none answers with data the
 *       refusal is thrown as a {@link ContentCacheException}.
 *   <li>Writes ({@link #putReference}, {@link #store}) throw {@link ContentCacheException} when no
 *       replica took them, with UNAVAILABLE when none could be reached.
 * </ul>
 *
 * <p>Content is routed by its hash unless stored under another routing key; references and leases
 * by their name or key. With replication R, the first R servers of the route are the key's
 * replicas: writes go to all of them, reads try them in route order.
 */
public final class ContentCacheClient implements AutoCloseable {
  /** The longest a single gRPC message from a server may be (servers choose their chunk size). */
  static final int MAX_INBOUND_MESSAGE_BYTES = 32 << 20;

  private final List<CacheServer> servers;
  private final Rendezvous<CacheServer> rendezvous;
  private final ClientConfig config;
  private final Counters counters = new Counters();
  private final Failures failures = new Failures(counters);

  ContentCacheClient(List<CacheServer> servers, ClientConfig config) {
    this.servers = List.copyOf(servers);
    this.rendezvous = new Rendezvous<>(this.servers, s -> s.endpoint.address());
    this.config = config;
  }

  public static ContentCacheClientBuilder builder() {
    return new ContentCacheClientBuilder();
  }

  /**
   * Opens the connections now and waits (at most {@code timeout} in all) until each server is
   * connected or has failed to connect. A fresh process needs about a second to set up its first
   * connection; without this, the first calls would spend their short deadlines on it and mark a
   * healthy server down.
   */
  public void connect(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (CacheServer server : servers) {
      server.channel.getState(true);
    }
    for (CacheServer server : servers) {
      while (System.nanoTime() < deadline) {
        ConnectivityState state = server.channel.getState(false);
        if (state == ConnectivityState.READY || state == ConnectivityState.TRANSIENT_FAILURE) {
          break;
        }
        java.util.concurrent.CountDownLatch changed = new java.util.concurrent.CountDownLatch(1);
        server.channel.notifyWhenStateChanged(state, changed::countDown);
        try {
          changed.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Every server, in the order {@code routingKey} prefers them. */
  public List<Endpoint> route(String routingKey) {
    return rendezvous.rank(routingKey).stream().map(s -> s.endpoint).toList();
  }

  /** The servers that hold {@code routingKey}'s copies: the first R of its route. */
  public List<Endpoint> replicas(String routingKey) {
    return replicaServers(routingKey).stream().map(s -> s.endpoint).toList();
  }

  /**
   * The bytes {@code [offset, offset + length)} of a content, routed by its hash.
   *
   * @return empty on a miss, or when no replica could answer
   * @throws ContentCacheException a live server refused the read (e.g. INVALID_ARGUMENT for a range
   *     outside the content) and no other replica had it
   */
  public Optional<byte[]> read(String hash, long offset, int length) throws ContentCacheException {
    return read(hash, hash, offset, length);
  }

  /** {@link #read(String, long, int)} for content stored under another routing key. */
  public Optional<byte[]> read(String hash, String routingKey, long offset, int length)
      throws ContentCacheException {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("bad range: offset " + offset + ", length " + length);
    }
    return counted(
        firstAnswer(
            "GetContent " + hash,
            replicaServers(routingKey),
            (s, probe) -> Optional.of(fetch(s, probe, hash, routingKey, offset, length))));
  }

  /**
   * A whole (small) content, such as a layer index: its size comes from HasContent, then one read
   * from the same server.
   *
   * @throws ContentCacheException with OUT_OF_RANGE when the content is larger than {@code
   *     maxBytes}, or a server's refusal as for {@link #read}
   */
  public Optional<byte[]> readAll(String hash, long maxBytes) throws ContentCacheException {
    return readAll(hash, hash, maxBytes);
  }

  /** {@link #readAll(String, long)} for content stored under another routing key. */
  public Optional<byte[]> readAll(String hash, String routingKey, long maxBytes)
      throws ContentCacheException {
    long limit = Math.min(maxBytes, Integer.MAX_VALUE - 8);
    return counted(
        firstAnswer(
            "read " + hash,
            replicaServers(routingKey),
            (s, probe) -> {
              OptionalLong size = sizeOn(s, probe, hash);
              if (size.isEmpty()) {
                return Optional.empty();
              }
              if (size.getAsLong() > limit) {
                throw new ContentCacheException(
                    Status.Code.OUT_OF_RANGE,
                    s.endpoint,
                    hash + " is " + size.getAsLong() + " bytes, more than the " + limit + " asked",
                    null);
              }
              int length = (int) size.getAsLong();
              return Optional.of(
                  length == 0 ? new byte[0] : fetch(s, probe, hash, routingKey, 0, length));
            }));
  }

  /** Whether a replica of {@code hash} has it. */
  public boolean has(String hash) throws ContentCacheException {
    return size(hash).isPresent();
  }

  /** The size of a content a replica of its hash has; empty on a miss. */
  public OptionalLong size(String hash) throws ContentCacheException {
    Optional<Long> size =
        firstAnswer(
            "HasContent " + hash,
            replicaServers(hash),
            (s, probe) -> {
              OptionalLong found = sizeOn(s, probe, hash);
              return found.isPresent() ? Optional.of(found.getAsLong()) : Optional.empty();
            });
    return size.isPresent() ? OptionalLong.of(size.get()) : OptionalLong.empty();
  }

  /** The hash a reference names, e.g. {@code layer-index/sha256:<hex>/1}; empty on a miss. */
  public Optional<String> getReference(String name) throws ContentCacheException {
    GetReferenceRequest request = GetReferenceRequest.newBuilder().setName(name).build();
    return firstAnswer(
        "GetReference " + name,
        replicaServers(name),
        (s, probe) -> {
          String hash = s.blocking(config.lookupDeadline(), probe).getReference(request).getHash();
          return hash.isEmpty() ? Optional.empty() : Optional.of(hash);
        });
  }

  /** Points reference {@code name} at {@code hash} on every replica of the name. */
  public void putReference(String name, String hash) throws ContentCacheException {
    PutReferenceRequest request =
        PutReferenceRequest.newBuilder().setName(name).setHash(hash).build();
    String what = "PutReference " + name;
    List<Endpoint> stored = new ArrayList<>();
    ContentCacheException refused = null;
    for (CacheServer s : replicaServers(name)) {
      EndpointHealth.Admission admission = s.admit();
      if (admission == EndpointHealth.Admission.SKIP) {
        counters.skips.increment();
        continue;
      }
      try {
        boolean probe = admission == EndpointHealth.Admission.PROBE;
        var unused = s.blocking(config.lookupDeadline(), probe).putReference(request);
        s.health.succeeded();
        stored.add(s.endpoint);
      } catch (StatusRuntimeException e) {
        ContentCacheException failure = onStatus(s, what, e);
        refused = refused == null ? failure : refused;
      }
    }
    if (stored.isEmpty()) {
      throw refused != null ? refused : noServer(what, name);
    }
  }

  /**
   * Asks for the lease {@code key} for {@code holder} (the cache writer's "only one node publishes
   * this layer"). The first replica of the key that answers decides; if the preferred one is down
   * another may, so exclusion is best effort while servers fail.
   *
   * @return the decision (granted or not, with the current holder and expiry); empty when no server
   *     could be asked
   */
  public Optional<Lease> acquireLease(String key, String holder, Duration ttl)
      throws ContentCacheException {
    AcquireLeaseRequest request =
        AcquireLeaseRequest.newBuilder()
            .setKey(key)
            .setHolder(holder)
            .setTtlMillis(ttl.toMillis())
            .build();
    return firstAnswer(
        "AcquireLease " + key,
        replicaServers(key),
        (s, probe) -> {
          AcquireLeaseResponse r = s.blocking(config.lookupDeadline(), probe).acquireLease(request);
          Instant expires = Instant.ofEpochMilli(r.getExpiresAtMillis());
          return Optional.of(new Lease(key, r.getGranted(), r.getHolder(), expires, s.endpoint));
        });
  }

  /**
   * Starts publishing a content as a stream, to every replica of {@code routingKey} that is up.
   * Never throws for an unavailable cache: the upload is then already {@link
   * ContentUpload#isFailed() failed}. See {@link ContentUpload} for the contract.
   *
   * @param expectedHash the hash the content must have ({@code sha256:<hex>}), or empty to accept
   *     whatever arrives
   * @param routingKey what to route on; null means the expected hash. Content is read by its hash,
   *     so it must be stored with the hash as routing key to be found by {@link #read(String, long,
   *     int)}.
   * @param size the total size if known (servers make room, and commit checks it), else -1
   */
  public ContentUpload openUpload(String expectedHash, @Nullable String routingKey, long size) {
    String hash = expectedHash == null ? "" : expectedHash;
    String key = routingKey != null ? routingKey : hash;
    if (key.isEmpty()) {
      throw new IllegalArgumentException("an upload needs an expected hash or a routing key");
    }
    StoreContentHeader header =
        StoreContentHeader.newBuilder()
            .setExpectedHash(hash)
            .setRoutingKey(key)
            .setSize(size < 0 ? -1 : size)
            .build();
    List<ReplicaStream> streams = new ArrayList<>();
    // Uploads fail fast even when probing (no wait-for-ready): a producer must not be held up by a
    // server that is down; reads bring servers back.
    for (CacheServer s : replicaServers(key)) {
      if (s.admit() == EndpointHealth.Admission.SKIP) {
        counters.skips.increment();
      } else {
        streams.add(ReplicaStream.open(s, header));
      }
    }
    ContentCacheException none = streams.isEmpty() ? noServer("StoreContent", key) : null;
    return new ContentUpload(
        hash,
        size,
        streams,
        none,
        config.chunkBytes(),
        config.storeIdleTimeout(),
        failures,
        counters);
  }

  /** Stores a content held in memory, routed by its hash (or {@code routingKey} when not null). */
  public StoredContent store(String expectedHash, @Nullable String routingKey, byte[] content)
      throws ContentCacheException {
    try (ContentUpload upload = openUpload(expectedHash, routingKey, content.length)) {
      upload.write(content, 0, content.length);
      return upload.commit();
    }
  }

  /**
   * Stores what {@code in} yields until its end. Stops reading early once the upload has failed.
   *
   * @throws IOException reading {@code in} failed (the upload is aborted), or a {@link
   *     ContentCacheException} as {@link ContentUpload#commit()} throws it
   */
  public StoredContent store(
      String expectedHash, @Nullable String routingKey, InputStream in, long size)
      throws IOException {
    try (ContentUpload upload = openUpload(expectedHash, routingKey, size)) {
      byte[] buffer = new byte[64 << 10];
      for (int n; !upload.isFailed() && (n = in.read(buffer)) >= 0; ) {
        upload.write(buffer, 0, n);
      }
      return upload.commit();
    }
  }

  /** Every server's availability, in configuration order. */
  public List<EndpointStatus> endpoints() {
    return servers.stream().map(s -> s.health.status()).toList();
  }

  public ClientStats stats() {
    return counters.snapshot();
  }

  public int replication() {
    return Math.min(config.replication(), servers.size());
  }

  /** Closes every channel, cancelling calls still running after a short grace. */
  @Override
  public void close() {
    servers.forEach(s -> s.channel.shutdown());
    for (CacheServer s : servers) {
      ManagedChannel channel = s.channel;
      try {
        if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        channel.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  private List<CacheServer> replicaServers(String routingKey) {
    Objects.requireNonNull(routingKey, "routing key");
    return rendezvous.rank(routingKey).subList(0, replication());
  }

  /**
   * A function of one server; empty for a miss. Throws for anything else. {@code probe}: the server
   * was down and this call checks whether it is back.
   */
  @FunctionalInterface
  private interface Attempt<T> {
    Optional<T> on(CacheServer server, boolean probe)
        throws BadResponseException, ContentCacheException;
  }

  /**
   * The first replica's answer, trying them in route order (see the class comment for what each
   * outcome does). A {@link ContentCacheException} the attempt throws itself ends the search.
   */
  private <T> Optional<T> firstAnswer(String what, List<CacheServer> replicas, Attempt<T> attempt)
      throws ContentCacheException {
    ContentCacheException refused = null;
    for (CacheServer s : replicas) {
      EndpointHealth.Admission admission = s.admit();
      if (admission == EndpointHealth.Admission.SKIP) {
        counters.skips.increment();
        continue;
      }
      try {
        Optional<T> answer = attempt.on(s, admission == EndpointHealth.Admission.PROBE);
        s.health.succeeded();
        if (answer.isPresent()) {
          return answer;
        }
      } catch (StatusRuntimeException e) {
        ContentCacheException failure = onStatus(s, what, e);
        if (refused == null && StatusKind.of(e.getStatus().getCode()) == StatusKind.ERROR) {
          refused = failure;
        }
      } catch (BadResponseException e) {
        failures.serverFailed(s, e.getMessage());
      } catch (ContentCacheException e) {
        s.health.succeeded();
        throw e;
      }
    }
    if (refused != null) {
      throw refused;
    }
    return Optional.empty();
  }

  /**
   * Applies the status contract; an interrupted caller is not the server's fault, so it is reported
   * as CANCELLED without marking the server down (the interrupt status is kept).
   */
  private ContentCacheException onStatus(CacheServer s, String what, StatusRuntimeException e)
      throws ContentCacheException {
    if (Thread.currentThread().isInterrupted()) {
      throw new ContentCacheException(Status.Code.CANCELLED, s.endpoint, what + ": interrupted", e);
    }
    return failures.record(s, what, e.getStatus(), e);
  }

  private Optional<byte[]> counted(Optional<byte[]> result) {
    counters.reads.increment();
    if (result.isPresent()) {
      counters.hits.increment();
      counters.bytesRead.add(result.get().length);
    } else {
      counters.misses.increment();
    }
    return result;
  }

  /**
   * One ranged GetContent from one server, gathering its chunks. Runs in a cancellable context so a
   * response cut short by us (too many bytes) does not leave the call streaming.
   */
  private byte[] fetch(
      CacheServer s, boolean probe, String hash, String routingKey, long offset, int length)
      throws BadResponseException {
    GetContentRequest request =
        GetContentRequest.newBuilder()
            .setHash(hash)
            .setOffset(offset)
            .setLength(length)
            .setRoutingKey(routingKey)
            .build();
    Context.CancellableContext context = Context.current().withCancellation();
    Context previous = context.attach();
    try {
      Iterator<ContentChunk> chunks = s.blocking(config.readDeadline(), probe).getContent(request);
      byte[] out = new byte[length];
      int filled = 0;
      while (chunks.hasNext()) {
        ByteString data = chunks.next().getData();
        if (data.size() > length - filled) {
          throw wrongLength(hash, offset, length, (long) filled + data.size(), "at least ");
        }
        data.copyTo(out, filled);
        filled += data.size();
      }
      if (filled != length) {
        throw wrongLength(hash, offset, length, filled, "");
      }
      return out;
    } finally {
      context.detach(previous);
      context.cancel(null);
    }
  }

  private static BadResponseException wrongLength(
      String hash, long offset, int length, long got, String qualifier) {
    return new BadResponseException(
        "answered "
            + qualifier
            + got
            + " bytes for "
            + length
            + " at offset "
            + offset
            + " of "
            + hash);
  }

  private OptionalLong sizeOn(CacheServer s, boolean probe, String hash)
      throws BadResponseException {
    HasContentResponse r =
        s.blocking(config.lookupDeadline(), probe)
            .hasContent(HasContentRequest.newBuilder().setHash(hash).build());
    if (!r.getPresent()) {
      return OptionalLong.empty();
    }
    if (r.getSize() < 0) {
      throw new BadResponseException("answered a negative size for " + hash);
    }
    return OptionalLong.of(r.getSize());
  }

  private ContentCacheException noServer(String what, String key) {
    return new ContentCacheException(
        Status.Code.UNAVAILABLE,
        null,
        what + ": no ContentCache server available (replicas " + replicas(key) + ")",
        null);
  }
}
