package dev.strata.contentcache.server;

import dev.strata.contentcache.v1.StoreContentHeader;
import dev.strata.contentcache.v1.StoreContentRequest;
import dev.strata.contentcache.v1.StoreContentResponse;
import dev.strata.registry.Digest;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One StoreContent stream: a header (expected hash, size), then data, then the client's half-close
 * commits. Any failure, a cancelled call or a broken stream drops the upload: nothing partial is
 * ever kept. gRPC delivers one message at a time and asks for the next only once this returned, so
 * a fast client cannot make the server buffer more than a message.
 */
final class StoreCall implements StreamObserver<StoreContentRequest> {
  private static final Logger log = LoggerFactory.getLogger(StoreCall.class);

  private final ContentStore store;
  private final ContentCacheMetrics metrics;
  private final StreamObserver<StoreContentResponse> responses;
  private Upload upload; // null until the first message
  private boolean failed;

  StoreCall(
      ContentStore store,
      ContentCacheMetrics metrics,
      StreamObserver<StoreContentResponse> responses) {
    this.store = store;
    this.metrics = metrics;
    this.responses = responses;
  }

  @Override
  public void onNext(StoreContentRequest request) {
    if (failed) {
      return;
    }
    try {
      if (request.hasHeader()) {
        if (upload != null) {
          throw new IllegalArgumentException("the header must be the first message, and only once");
        }
        upload = begin(request.getHeader());
      } else {
        if (upload == null) {
          upload = begin(StoreContentHeader.getDefaultInstance()); // no header: no expectations
        }
        upload.write(request.getData().asReadOnlyByteBuffer());
      }
    } catch (Exception e) {
      fail(e);
    }
  }

  private Upload begin(StoreContentHeader header) throws Exception {
    Optional<Digest> expected =
        header.getExpectedHash().isEmpty()
            ? Optional.empty()
            : Optional.of(ContentHashes.parse(header.getExpectedHash()));
    return store.newUpload(header.getSize(), expected);
  }

  @Override
  public void onError(Throwable cancelled) {
    log.debug("StoreContent stream ended early: {}", cancelled.toString());
    drop();
  }

  @Override
  public void onCompleted() {
    if (failed) {
      return;
    }
    StoredContent content;
    try {
      if (upload == null) {
        upload = begin(StoreContentHeader.getDefaultInstance());
      }
      content = upload.commit();
    } catch (Exception e) {
      fail(e);
      return;
    }
    metrics.bytesStored.inc(content.size());
    responses.onNext(
        StoreContentResponse.newBuilder()
            .setHash(content.hash().toString())
            .setSize(content.size())
            .build());
    responses.onCompleted();
  }

  private void fail(Exception e) {
    failed = true;
    drop();
    responses.onError(Statuses.of(e));
  }

  private void drop() {
    if (upload == null) {
      return;
    }
    try {
      upload.close();
    } catch (Exception e) {
      log.warn("could not drop an upload: {}", e.toString());
    }
  }
}
