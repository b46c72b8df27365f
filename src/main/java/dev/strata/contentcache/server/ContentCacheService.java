package dev.strata.contentcache.server;

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
import dev.strata.registry.Digest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;

/**
 * The ContentCache protocol over a {@link ContentStore}, a {@link ReferenceStore} and a {@link
 * LeaseTable}. Handlers block (the server runs them on virtual threads); GetContent streams with
 * flow control (see {@link ChunkStreamer}).
 */
final class ContentCacheService extends ContentCacheGrpc.ContentCacheImplBase {
  private final ContentStore store;
  private final ReferenceStore references;
  private final LeaseTable leases;
  private final HotRanges hot;
  private final ContentCacheMetrics metrics;

  ContentCacheService(
      ContentStore store,
      ReferenceStore references,
      LeaseTable leases,
      HotRanges hot,
      ContentCacheMetrics metrics) {
    this.store = store;
    this.references = references;
    this.leases = leases;
    this.hot = hot;
    this.metrics = metrics;
  }

  @Override
  public void getContent(GetContentRequest request, StreamObserver<ContentChunk> responses) {
    ChunkSource source;
    try {
      source = open(request);
    } catch (Exception e) {
      responses.onError(Statuses.of(e));
      return;
    }
    ChunkStreamer.stream((ServerCallStreamObserver<ContentChunk>) responses, source, metrics);
  }

  private ChunkSource open(GetContentRequest request) throws IOException {
    Digest hash = ContentHashes.parse(request.getHash());
    long offset = request.getOffset();
    long length = request.getLength();
    StoredContent content = store.stat(hash).orElseThrow(() -> Statuses.notFound(hash.toString()));
    if (offset < 0 || length < 0 || offset > content.size() || length > content.size() - offset) {
      throw new IllegalArgumentException(
          "range ["
              + offset
              + ", "
              + offset
              + "+"
              + length
              + ") is outside "
              + hash
              + " of "
              + content.size()
              + " bytes");
    }
    if (!hot.keeps(length)) {
      metrics.hotMisses.inc();
      return ChunkSource.of(pin(hash), offset, length);
    }
    HotRanges.Key key = new HotRanges.Key(hash, offset, length);
    Optional<byte[]> cached = hot.get(key);
    if (cached.isPresent()) {
      metrics.hotHits.inc();
      return ChunkSource.of(cached.get());
    }
    metrics.hotMisses.inc();
    byte[] bytes = new byte[(int) length];
    try (PinnedContent pinned = pin(hash)) {
      pinned.readFully(ByteBuffer.wrap(bytes), offset);
    }
    hot.put(key, bytes);
    return ChunkSource.of(bytes);
  }

  private PinnedContent pin(Digest hash) throws IOException {
    // evicted between the size check and here: a miss like any other
    return store.pin(hash).orElseThrow(() -> Statuses.notFound(hash.toString()));
  }

  @Override
  public StreamObserver<StoreContentRequest> storeContent(
      StreamObserver<StoreContentResponse> responses) {
    return new StoreCall(store, metrics, responses);
  }

  @Override
  public void hasContent(HasContentRequest request, StreamObserver<HasContentResponse> responses) {
    unary(
        responses,
        () -> {
          Optional<StoredContent> content = store.stat(ContentHashes.parse(request.getHash()));
          return HasContentResponse.newBuilder()
              .setPresent(content.isPresent())
              .setSize(content.map(StoredContent::size).orElse(0L))
              .build();
        });
  }

  @Override
  public void putReference(
      PutReferenceRequest request, StreamObserver<PutReferenceResponse> responses) {
    unary(
        responses,
        () -> {
          references.put(request.getName(), ContentHashes.parse(request.getHash()));
          return PutReferenceResponse.getDefaultInstance();
        });
  }

  @Override
  public void getReference(
      GetReferenceRequest request, StreamObserver<GetReferenceResponse> responses) {
    unary(
        responses,
        () -> {
          Digest hash =
              references
                  .get(request.getName())
                  .orElseThrow(() -> Statuses.notFound("reference " + request.getName()));
          return GetReferenceResponse.newBuilder().setHash(hash.toString()).build();
        });
  }

  @Override
  public void acquireLease(
      AcquireLeaseRequest request, StreamObserver<AcquireLeaseResponse> responses) {
    unary(
        responses,
        () -> {
          LeaseTable.Lease lease =
              leases.acquire(
                  request.getKey(), request.getHolder(), Duration.ofMillis(request.getTtlMillis()));
          return AcquireLeaseResponse.newBuilder()
              .setGranted(lease.granted())
              .setHolder(lease.holder())
              .setExpiresAtMillis(lease.expiresAt().toEpochMilli())
              .build();
        });
  }

  private interface Call<R> {
    R answer() throws Exception;
  }

  private static <R> void unary(StreamObserver<R> responses, Call<R> call) {
    R response;
    try {
      response = call.answer();
    } catch (Exception e) {
      responses.onError(Statuses.of(e));
      return;
    }
    responses.onNext(response);
    responses.onCompleted();
  }
}
