package dev.strata.contentcache.server;

import com.google.protobuf.ByteString;
import dev.strata.contentcache.v1.ContentChunk;
import io.grpc.stub.ServerCallStreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a {@link ChunkSource} with flow control: a chunk only while the transport is ready, the
 * rest when gRPC calls the on-ready handler again, so a slow reader of a large range never makes
 * the server buffer the range. gRPC runs the on-ready and on-cancel handlers of one call one after
 * the other, never at once, so this needs no locking.
 */
final class ChunkStreamer {
  private static final Logger log = LoggerFactory.getLogger(ChunkStreamer.class);

  private final ServerCallStreamObserver<ContentChunk> call;
  private final ChunkSource source;
  private final ContentCacheMetrics metrics;
  private boolean finished;

  private ChunkStreamer(
      ServerCallStreamObserver<ContentChunk> call,
      ChunkSource source,
      ContentCacheMetrics metrics) {
    this.call = call;
    this.source = source;
    this.metrics = metrics;
  }

  /**
   * Starts streaming; must be called from the service method, before it returns (gRPC runs the
   * on-ready handler once the method returned when the call is ready already).
   */
  static void stream(
      ServerCallStreamObserver<ContentChunk> call,
      ChunkSource source,
      ContentCacheMetrics metrics) {
    ChunkStreamer streamer = new ChunkStreamer(call, source, metrics);
    call.setOnCancelHandler(streamer::release);
    call.setOnReadyHandler(streamer::drain);
  }

  private void drain() {
    if (finished) {
      return;
    }
    try {
      while (call.isReady() && source.hasNext()) {
        ByteString chunk = source.next();
        call.onNext(ContentChunk.newBuilder().setData(chunk).build());
        metrics.bytesServed.inc(chunk.size());
      }
      if (!source.hasNext()) {
        release();
        call.onCompleted();
      }
    } catch (Exception e) {
      release();
      call.onError(Statuses.of(e));
    }
  }

  private void release() {
    if (finished) {
      return;
    }
    finished = true;
    try {
      source.close();
    } catch (Exception e) {
      log.debug("closing a content range: {}", e.toString());
    }
  }
}
