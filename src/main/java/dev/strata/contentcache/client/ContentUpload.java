package dev.strata.contentcache.client;

import com.google.protobuf.ByteString;
import dev.strata.contentcache.v1.StoreContentRequest;
import dev.strata.contentcache.v1.StoreContentResponse;
import io.grpc.Status;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content published to the ContentCache while it is being produced (the cache writer streams a
 * decompressed layer in the same pass that indexes it), to each replica server of its routing key.
 *
 * <p>The contract, chosen so a failing cache can never break the producer:
 *
 * <ul>
 *   <li>{@link #write} never throws (other than for a bad array range, or after {@link #commit}).
 *       It copies the bytes (the caller may reuse its buffer), sends them in messages of about 1
 *       MiB, and blocks while gRPC flow control says the servers cannot take more, at most the
 *       store idle timeout per message: memory stays bounded whatever the content's size.
 *   <li>A replica that fails (unavailable, refused, stuck longer than the idle timeout) is dropped;
 *       the others go on. When none is left the upload {@link #isFailed() is failed}: further
 *       writes return at once and discard their bytes; {@link #failure()} says why. A producer may
 *       check {@code isFailed()} to stop feeding it early, but need not.
 *   <li>{@link #commit()} sends the rest, ends the stream and waits (at most the idle timeout) for
 *       the servers to confirm; it returns what was stored or throws {@link ContentCacheException}
 *       (including for an upload that had already failed). Servers hash what they receive and keep
 *       nothing partial, so a failed or aborted upload leaves nothing behind.
 *   <li>{@link #abort()} cancels the upload (any thread may call it). {@link #close()} aborts an
 *       upload that was not committed, so {@code try (upload) { ...; upload.commit(); }} never
 *       publishes half a content when the producer fails. Note that wrappers which close their
 *       inner stream (a {@code BufferedOutputStream}) therefore abort it: flush them, then commit.
 * </ul>
 *
 * <p>Not thread-safe for writing: one producer thread writes and commits.
 */
public final class ContentUpload extends OutputStream {
  private static final Logger log = LoggerFactory.getLogger(ContentUpload.class);

  private enum State {
    OPEN,
    COMMITTED,
    ABORTED
  }

  private final String expectedHash;
  private final long declaredSize;
  private final Duration idle;
  private final Failures failures;
  private final Counters counters;
  private final List<Endpoint> targets;
  private final List<ReplicaStream> live;
  private final byte[] chunk;
  private int filled;
  private long written;
  private volatile State state = State.OPEN;
  private volatile @Nullable ContentCacheException firstFailure;

  ContentUpload(
      String expectedHash,
      long declaredSize,
      List<ReplicaStream> replicas,
      @Nullable ContentCacheException noReplica,
      int chunkBytes,
      Duration idle,
      Failures failures,
      Counters counters) {
    this.expectedHash = expectedHash;
    this.declaredSize = declaredSize;
    this.idle = idle;
    this.failures = failures;
    this.counters = counters;
    this.targets = replicas.stream().map(r -> r.server.endpoint).toList();
    this.live = new CopyOnWriteArrayList<>(replicas);
    this.chunk = new byte[chunkBytes];
    this.firstFailure = noReplica;
  }

  @Override
  public void write(int b) {
    if (accepting()) {
      written++;
      chunk[filled++] = (byte) b;
      if (filled == chunk.length) {
        sendChunk();
      }
    }
  }

  @Override
  public void write(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    if (!accepting()) {
      return;
    }
    written += len;
    while (len > 0 && !isFailed()) {
      int n = Math.min(len, chunk.length - filled);
      System.arraycopy(b, off, chunk, filled, n);
      filled += n;
      off += n;
      len -= n;
      if (filled == chunk.length) {
        sendChunk();
      }
    }
  }

  /** Does nothing: bytes go out in whole messages, and {@link #commit()} sends the rest. */
  @Override
  public void flush() {}

  /**
   * Sends what is left, ends the upload and waits for the servers' confirmation.
   *
   * @return the hash and size the servers stored, and which servers did
   * @throws ContentCacheException no server stored it: FAILED_PRECONDITION when the bytes did not
   *     hash to the expected hash, INVALID_ARGUMENT when fewer or more bytes than the declared size
   *     were written, UNAVAILABLE / DEADLINE_EXCEEDED when servers were down or stuck, CANCELLED
   *     when aborted, or whatever else a server refused it with
   */
  public StoredContent commit() throws ContentCacheException {
    if (state == State.COMMITTED) {
      throw new IllegalStateException("upload already committed");
    }
    if (state == State.OPEN && !isFailed() && filled > 0) {
      sendChunk();
    }
    if (state == State.OPEN && !isFailed() && declaredSize >= 0 && written != declaredSize) {
      failAll(
          Status.Code.INVALID_ARGUMENT,
          "upload declared " + declaredSize + " bytes but " + written + " were written");
    }
    if (isFailed()) {
      counters.storeFailures.increment();
      throw failure().orElseThrow();
    }
    state = State.COMMITTED;
    live.forEach(ReplicaStream::halfClose);
    List<Endpoint> storedOn = new ArrayList<>();
    StoreContentResponse answer = null;
    for (ReplicaStream replica : live) {
      Optional<StoreContentResponse> response = confirmed(replica);
      if (response.isPresent()) {
        storedOn.add(replica.server.endpoint);
        answer = response.get();
      }
    }
    if (answer == null) {
      counters.storeFailures.increment();
      throw failure().orElseThrow();
    }
    counters.stores.increment();
    counters.bytesStored.add(written);
    return new StoredContent(answer.getHash(), answer.getSize(), storedOn);
  }

  /** Cancels the upload on every server. Idempotent; does nothing after {@link #commit()}. */
  public void abort() {
    if (state != State.OPEN) {
      return;
    }
    state = State.ABORTED;
    live.forEach(r -> r.cancel("upload aborted by the client"));
    if (firstFailure == null) {
      firstFailure = new ContentCacheException(Status.Code.CANCELLED, null, "upload aborted", null);
    }
  }

  /** Aborts the upload unless it was committed. */
  @Override
  public void close() {
    abort();
  }

  /** Whether the upload can no longer succeed (every replica failed, or it was aborted). */
  public boolean isFailed() {
    return state == State.ABORTED || live.isEmpty();
  }

  /** Why the upload failed, once {@link #isFailed()}; empty while it can still succeed. */
  public Optional<ContentCacheException> failure() {
    if (!isFailed()) {
      return Optional.empty();
    }
    ContentCacheException failure = firstFailure;
    return Optional.of(
        failure != null
            ? failure
            : new ContentCacheException(Status.Code.UNKNOWN, null, "upload failed", null));
  }

  /** Bytes the producer has written (including any discarded after a failure). */
  public long bytesWritten() {
    return written;
  }

  /** The servers this upload started on, in route order. */
  public List<Endpoint> targets() {
    return targets;
  }

  private boolean accepting() {
    if (state == State.COMMITTED) {
      throw new IllegalStateException("write after commit");
    }
    return !isFailed();
  }

  private void sendChunk() {
    StoreContentRequest message =
        StoreContentRequest.newBuilder().setData(ByteString.copyFrom(chunk, 0, filled)).build();
    filled = 0;
    for (ReplicaStream replica : live) {
      if (!replica.send(message, idle)) {
        dropped(replica);
      }
    }
  }

  private Optional<StoreContentResponse> confirmed(ReplicaStream replica) {
    Optional<StoreContentResponse> response = replica.awaitResponse(idle);
    if (response.isEmpty()) {
      dropped(replica);
      return response;
    }
    String hash = response.get().getHash();
    long size = response.get().getSize();
    if (size != written || (!expectedHash.isEmpty() && !expectedHash.equals(hash))) {
      String why = "stored " + hash + " (" + size + " bytes) for " + written + " bytes written";
      live.remove(replica);
      failures.serverFailed(replica.server, why);
      keepFirst(
          new ContentCacheException(Status.Code.INTERNAL, replica.server.endpoint, why, null));
      return Optional.empty();
    }
    return response;
  }

  private void dropped(ReplicaStream replica) {
    live.remove(replica);
    Status status = replica.failure();
    if (state == State.ABORTED) {
      return;
    }
    ContentCacheException e =
        failures.record(replica.server, "StoreContent", status, replica.cause());
    keepFirst(e);
    log.debug("upload to {} failed: {}", replica.server, e.getMessage());
  }

  private void failAll(Status.Code code, String why) {
    keepFirst(new ContentCacheException(code, null, why, null));
    live.forEach(r -> r.cancel(why));
    live.clear();
  }

  private void keepFirst(ContentCacheException e) {
    if (firstFailure == null) {
      firstFailure = e;
    }
  }
}
