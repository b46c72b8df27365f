package dev.strata.contentcache.client;

import dev.strata.contentcache.v1.StoreContentHeader;
import dev.strata.contentcache.v1.StoreContentRequest;
import dev.strata.contentcache.v1.StoreContentResponse;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * One StoreContent call of an upload, to one server. The producer's thread sends; gRPC's threads
 * report readiness and the outcome. Every use of the call happens under {@link #lock}, because a
 * gRPC call is not thread-safe and {@link #cancel} may come from another thread.
 *
 * <p>Waits use the real monotonic clock (not the client's injectable one): they bound how long a
 * producer can be blocked by a stuck server.
 */
final class ReplicaStream
    implements ClientResponseObserver<StoreContentRequest, StoreContentResponse> {
  final CacheServer server;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private @Nullable ClientCallStreamObserver<StoreContentRequest> call;
  private @Nullable StoreContentResponse response;
  private @Nullable Throwable error;
  private @Nullable Status localFailure;
  private boolean done;

  private ReplicaStream(CacheServer server) {
    this.server = server;
  }

  /** Starts the call and sends the header (no need to wait for room: it is the first message). */
  static ReplicaStream open(CacheServer server, StoreContentHeader header) {
    ReplicaStream replica = new ReplicaStream(server);
    server.async().storeContent(replica); // calls beforeStart, which keeps the call
    replica.lock.lock();
    try {
      replica.requireCall().onNext(StoreContentRequest.newBuilder().setHeader(header).build());
    } finally {
      replica.lock.unlock();
    }
    return replica;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<StoreContentRequest> requestStream) {
    this.call = requestStream;
    requestStream.setOnReadyHandler(this::signal);
  }

  @Override
  public void onNext(StoreContentResponse value) {
    lock.lock();
    try {
      response = value;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onError(Throwable t) {
    lock.lock();
    try {
      error = t;
      done = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void onCompleted() {
    signalDone();
  }

  /**
   * Sends one message once the transport has room (gRPC flow control), waiting at most {@code
   * idle}. Returns false when this replica has failed, including by that wait running out or the
   * producer being interrupted (whose interrupt status is kept).
   */
  boolean send(StoreContentRequest message, Duration idle) {
    lock.lock();
    try {
      if (!awaitReady(idle)) {
        return false;
      }
      requireCall().onNext(message);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Ends the upload from our side; the server now hashes, commits and answers. */
  void halfClose() {
    lock.lock();
    try {
      if (!done) {
        requireCall().onCompleted();
      }
    } finally {
      lock.unlock();
    }
  }

  /** The server's answer, waiting at most {@code idle}; empty when this replica failed. */
  Optional<StoreContentResponse> awaitResponse(Duration idle) {
    lock.lock();
    try {
      long deadline = System.nanoTime() + idle.toNanos();
      while (!done) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          giveUp(Status.DEADLINE_EXCEEDED, "no answer " + idle.toMillis() + " ms after the upload");
          return Optional.empty();
        }
        changed.awaitNanos(left);
      }
      return error == null && localFailure == null
          ? Optional.ofNullable(response)
          : Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      giveUp(Status.CANCELLED, "interrupted while waiting for the answer");
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /** Cancels the call (the server keeps nothing partial). */
  void cancel(String why) {
    lock.lock();
    try {
      if (!done) {
        localFailure = Status.CANCELLED.withDescription(why);
        requireCall().cancel(why, null);
        done = true;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Why this replica failed; call only after {@link #send} or {@link #awaitResponse} said so. */
  Status failure() {
    lock.lock();
    try {
      if (localFailure != null) {
        return localFailure;
      }
      if (error != null) {
        return Status.fromThrowable(error);
      }
      return Status.INTERNAL.withDescription("StoreContent completed without a response");
    } finally {
      lock.unlock();
    }
  }

  @Nullable Throwable cause() {
    lock.lock();
    try {
      return error;
    } finally {
      lock.unlock();
    }
  }

  private boolean awaitReady(Duration idle) {
    long deadline = System.nanoTime() + idle.toNanos();
    try {
      while (!done && !requireCall().isReady()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          giveUp(Status.DEADLINE_EXCEEDED, "took no data for " + idle.toMillis() + " ms");
          return false;
        }
        changed.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      giveUp(Status.CANCELLED, "the producer was interrupted");
      return false;
    }
    return !done;
  }

  /** Must hold the lock. */
  private void giveUp(Status status, String why) {
    if (!done) {
      localFailure = status.withDescription(why);
      requireCall().cancel(why, null);
      done = true;
      changed.signalAll();
    }
  }

  private void signal() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void signalDone() {
    lock.lock();
    try {
      done = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private ClientCallStreamObserver<StoreContentRequest> requireCall() {
    ClientCallStreamObserver<StoreContentRequest> c = call;
    if (c == null) {
      throw new IllegalStateException("StoreContent call not started");
    }
    return c;
  }
}
