package dev.strata.contentcache.client;

import com.google.protobuf.ByteString;
import dev.strata.contentcache.v1.AcquireLeaseRequest;
import dev.strata.contentcache.v1.AcquireLeaseResponse;
import dev.strata.contentcache.v1.ContentCacheGrpc;
import dev.strata.contentcache.v1.ContentChunk;
import dev.strata.contentcache.v1.GetContentRequest;
import dev.strata.contentcache.v1.GetReferenceRequest;
import dev.strata.contentcache.v1.GetReferenceResponse;
import dev.strata.contentcache.v1.HasContentRequest;
import dev.strata.contentcache.v1.HasContentResponse;
import dev.strata.contentcache.v1.PutReferenceRequest;
import dev.strata.contentcache.v1.PutReferenceResponse;
import dev.strata.contentcache.v1.StoreContentRequest;
import dev.strata.contentcache.v1.StoreContentResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory ContentCache service for the client's unit tests, with switches for the ways a
 * server misbehaves. Contents above {@link #keepLimit} are hashed and counted but not kept.
 */
final class FakeContentCache extends ContentCacheGrpc.ContentCacheImplBase {
  record Held(long expiresAtMillis, String holder) {}

  final Map<String, byte[]> contents = new ConcurrentHashMap<>();
  final Map<String, Long> sizes = new ConcurrentHashMap<>();
  final Map<String, String> references = new ConcurrentHashMap<>();
  final Map<String, Held> leases = new ConcurrentHashMap<>();
  final AtomicInteger getContentCalls = new AtomicInteger();
  final AtomicInteger storeCalls = new AtomicInteger();
  final AtomicLong receivedBytes = new AtomicLong();

  private final CountDownLatch released = new CountDownLatch(1);
  volatile boolean hangReads;
  volatile boolean hangStores;
  volatile int lengthError; // added to every GetContent answer's length
  volatile long storeDelayMillis; // per data message: a slow consumer
  volatile long keepLimit = 16 << 20;
  static final int CHUNK = 256 << 10;

  static String sha256(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(digest().digest(bytes));
  }

  static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Puts content in directly, bypassing the client. */
  String put(byte[] content) {
    String hash = sha256(content);
    contents.put(hash, content);
    sizes.put(hash, (long) content.length);
    return hash;
  }

  @Override
  public void getContent(GetContentRequest request, StreamObserver<ContentChunk> out) {
    getContentCalls.incrementAndGet();
    if (hangReads) {
      return; // never answers: the client's deadline must end the call
    }
    byte[] content = contents.get(request.getHash());
    if (content == null) {
      out.onError(Status.NOT_FOUND.withDescription(request.getHash()).asRuntimeException());
      return;
    }
    long offset = request.getOffset();
    long length = request.getLength();
    if (offset < 0 || length < 0 || offset + length > content.length) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("range").asRuntimeException());
      return;
    }
    int end = (int) Math.max(offset, Math.min(content.length, offset + length + lengthError));
    for (int at = (int) offset; at < end; at += CHUNK) {
      int n = Math.min(CHUNK, end - at);
      out.onNext(ContentChunk.newBuilder().setData(ByteString.copyFrom(content, at, n)).build());
    }
    out.onCompleted();
  }

  @Override
  public StreamObserver<StoreContentRequest> storeContent(
      StreamObserver<StoreContentResponse> out) {
    storeCalls.incrementAndGet();
    return new StreamObserver<>() {
      final MessageDigest digest = digest();
      ByteString kept = ByteString.EMPTY;
      String expected = "";
      long size;

      @Override
      public void onNext(StoreContentRequest request) {
        if (request.hasHeader()) {
          expected = request.getHeader().getExpectedHash();
          return;
        }
        if (hangStores) {
          awaitRelease(); // stops reading: flow control fills, the client must give up
        }
        sleep(storeDelayMillis);
        ByteString data = request.getData();
        digest.update(data.asReadOnlyByteBuffer());
        size += data.size();
        receivedBytes.addAndGet(data.size());
        if (size <= keepLimit) {
          kept = kept.concat(data);
        }
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        String hash = "sha256:" + HexFormat.of().formatHex(digest.digest());
        if (!expected.isEmpty() && !expected.equals(hash)) {
          out.onError(
              Status.FAILED_PRECONDITION
                  .withDescription("expected " + expected + ", got " + hash)
                  .asRuntimeException());
          return;
        }
        if (size <= keepLimit) {
          contents.put(hash, kept.toByteArray());
        }
        sizes.put(hash, size);
        out.onNext(StoreContentResponse.newBuilder().setHash(hash).setSize(size).build());
        out.onCompleted();
      }
    };
  }

  @Override
  public void hasContent(HasContentRequest request, StreamObserver<HasContentResponse> out) {
    Long size = sizes.get(request.getHash());
    out.onNext(
        HasContentResponse.newBuilder()
            .setPresent(size != null)
            .setSize(size == null ? 0 : size)
            .build());
    out.onCompleted();
  }

  @Override
  public void putReference(PutReferenceRequest request, StreamObserver<PutReferenceResponse> out) {
    references.put(request.getName(), request.getHash());
    out.onNext(PutReferenceResponse.getDefaultInstance());
    out.onCompleted();
  }

  @Override
  public void getReference(GetReferenceRequest request, StreamObserver<GetReferenceResponse> out) {
    String hash = references.get(request.getName());
    if (hash == null) {
      out.onError(Status.NOT_FOUND.asRuntimeException());
      return;
    }
    out.onNext(GetReferenceResponse.newBuilder().setHash(hash).build());
    out.onCompleted();
  }

  @Override
  public void acquireLease(AcquireLeaseRequest request, StreamObserver<AcquireLeaseResponse> out) {
    long now = System.currentTimeMillis();
    Held held =
        leases.compute(
            request.getKey(),
            (k, old) ->
                old == null
                        || old.expiresAtMillis() <= now
                        || old.holder().equals(request.getHolder())
                    ? new Held(now + request.getTtlMillis(), request.getHolder())
                    : old);
    out.onNext(
        AcquireLeaseResponse.newBuilder()
            .setGranted(held.holder().equals(request.getHolder()))
            .setHolder(held.holder())
            .setExpiresAtMillis(held.expiresAtMillis())
            .build());
    out.onCompleted();
  }

  /** Ends the hangs (tests call it when done, so no handler thread is left blocked). */
  void release() {
    released.countDown();
  }

  private void awaitRelease() {
    try {
      released.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
