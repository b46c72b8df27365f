package dev.strata.testing;

import com.google.protobuf.ByteString;
import dev.strata.contentcache.v1.ContentCacheGrpc;
import dev.strata.contentcache.v1.ContentChunk;
import dev.strata.contentcache.v1.GetContentRequest;
import dev.strata.contentcache.v1.HasContentRequest;
import dev.strata.contentcache.v1.HasContentResponse;
import dev.strata.contentcache.v1.StoreContentHeader;
import dev.strata.contentcache.v1.StoreContentRequest;
import dev.strata.contentcache.v1.StoreContentResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A thin client over the generated ContentCache stubs for tests and benchmarks of the server (the
 * product's client tier lives elsewhere): stores byte arrays, reads ranges back whole, counts the
 * chunks. Closing shuts the channel down.
 */
public final class ContentCacheTestClient implements AutoCloseable {
  /** The bytes of a GetContent range and how many messages carried them. */
  public static final class Range {
    private final byte[] bytes;
    private final int chunks;

    Range(byte[] bytes, int chunks) {
      this.bytes = bytes;
      this.chunks = chunks;
    }

    public byte[] bytes() {
      return bytes.clone();
    }

    public int chunks() {
      return chunks;
    }
  }

  private final ManagedChannel channel;
  private final ContentCacheGrpc.ContentCacheBlockingStub blocking;
  private final ContentCacheGrpc.ContentCacheStub async;

  private ContentCacheTestClient(ManagedChannel channel, String token) {
    this.channel = channel;
    ContentCacheGrpc.ContentCacheBlockingStub b = ContentCacheGrpc.newBlockingStub(channel);
    ContentCacheGrpc.ContentCacheStub a = ContentCacheGrpc.newStub(channel);
    if (token != null) {
      Metadata headers = new Metadata();
      headers.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
      b = b.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      a = a.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    this.blocking = b;
    this.async = a;
  }

  /** A client on {@code channel}; {@code token} null sends no authorization header. */
  public static ContentCacheTestClient on(ManagedChannel channel, String token) {
    return new ContentCacheTestClient(channel, token);
  }

  public ContentCacheGrpc.ContentCacheBlockingStub blocking() {
    return blocking;
  }

  public ContentCacheGrpc.ContentCacheStub async() {
    return async;
  }

  public ManagedChannel channel() {
    return channel;
  }

  /** Stores {@code content} in 64 KiB messages, announcing its size and {@code expectedHash}. */
  public StoreContentResponse store(byte[] content, String expectedHash) {
    return store(expectedHash, content.length, chunks(content, 64 << 10));
  }

  /** Stores what {@code data} yields after a header; throws the call's status on failure. */
  public StoreContentResponse store(String expectedHash, long declaredSize, Iterator<byte[]> data) {
    CompletableFuture<StoreContentResponse> response = new CompletableFuture<>();
    StreamObserver<StoreContentRequest> requests = async.storeContent(observer(response));
    requests.onNext(
        StoreContentRequest.newBuilder()
            .setHeader(
                StoreContentHeader.newBuilder().setExpectedHash(expectedHash).setSize(declaredSize))
            .build());
    while (data.hasNext() && !response.isDone()) {
      requests.onNext(
          StoreContentRequest.newBuilder().setData(ByteString.copyFrom(data.next())).build());
    }
    requests.onCompleted();
    return await(response);
  }

  public Range read(String hash, long offset, long length) {
    Iterator<ContentChunk> chunks =
        blocking.getContent(
            GetContentRequest.newBuilder()
                .setHash(hash)
                .setOffset(offset)
                .setLength(length)
                .setRoutingKey(hash)
                .build());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int count = 0;
    while (chunks.hasNext()) {
      bytes.writeBytes(chunks.next().getData().toByteArray());
      count++;
    }
    return new Range(bytes.toByteArray(), count);
  }

  public HasContentResponse has(String hash) {
    return blocking.hasContent(HasContentRequest.newBuilder().setHash(hash).build());
  }

  /** {@code content} cut into pieces of at most {@code size} bytes. */
  public static Iterator<byte[]> chunks(byte[] content, int size) {
    return new Iterator<>() {
      private int position;

      @Override
      public boolean hasNext() {
        return position < content.length;
      }

      @Override
      public byte[] next() {
        int n = Math.min(size, content.length - position);
        byte[] chunk = java.util.Arrays.copyOfRange(content, position, position + n);
        position += n;
        return chunk;
      }
    };
  }

  private static <T> StreamObserver<T> observer(CompletableFuture<T> result) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        result.completeExceptionally(new IllegalStateException("completed without a response"));
      }
    };
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException status) {
        throw status;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(10, TimeUnit.SECONDS);
  }
}
