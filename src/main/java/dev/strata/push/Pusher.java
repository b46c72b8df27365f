package dev.strata.push;

import dev.strata.registry.Digest;
import dev.strata.registry.ImageRef;
import dev.strata.registry.RegistryClient;
import dev.strata.registry.RegistryException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/** Pushes a {@link PushPlan}: blobs concurrently (skipping those present), then the manifests. */
public final class Pusher {
  /** Hears about each blob as it is settled; called from several threads. */
  public interface Listener {
    void blobDone(PushPlan.Blob blob, boolean uploaded);

    Listener NONE = (blob, uploaded) -> {};
  }

  /** What a push did. */
  public record Result(ImageRef pushed, Digest digest, int uploaded, int skipped) {}

  private final RegistryClient client;
  private final int concurrency;

  public Pusher(RegistryClient client, int concurrency) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1");
    }
    this.client = client;
    this.concurrency = concurrency;
  }

  public Result push(PushPlan plan, ImageRef destination, Listener listener) throws IOException {
    Digest topDigest = plan.top().digest();
    if (destination.digest() != null && !destination.digest().equals(topDigest)) {
      throw new RegistryException(
          "cannot push to " + destination + ": the image's manifest digest is " + topDigest);
    }
    int uploaded = uploadBlobs(plan, destination, listener);
    List<PushPlan.Manifest> manifests = plan.manifests();
    for (int i = 0; i < manifests.size() - 1; i++) {
      PushPlan.Manifest child = manifests.get(i);
      client.putManifest(
          destination.repository(), child.digest().toString(), child.mediaType(), child.body());
    }
    String reference = destination.tag() != null ? destination.tag() : topDigest.toString();
    Digest pushed =
        client.putManifest(
            destination.repository(), reference, plan.top().mediaType(), plan.top().body());
    return new Result(
        destination.withDigest(pushed), pushed, uploaded, plan.blobs().size() - uploaded);
  }

  private int uploadBlobs(PushPlan plan, ImageRef destination, Listener listener)
      throws IOException {
    Semaphore permits = new Semaphore(concurrency);
    List<Future<Boolean>> uploads = new ArrayList<>();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      for (PushPlan.Blob blob : plan.blobs()) {
        uploads.add(
            executor.submit(
                () -> {
                  permits.acquire();
                  try {
                    boolean done =
                        client.uploadBlob(
                            destination.repository(), blob.digest(), blob.size(), blob.content());
                    listener.blobDone(blob, done);
                    return done;
                  } finally {
                    permits.release();
                  }
                }));
      }
      int uploaded = 0;
      for (Future<Boolean> upload : uploads) {
        try {
          uploaded += upload.get() ? 1 : 0;
        } catch (ExecutionException e) {
          uploads.forEach(f -> f.cancel(true));
          if (e.getCause() instanceof IOException io) {
            throw io;
          }
          throw new IOException("blob upload failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while pushing");
        }
      }
      return uploaded;
    }
  }
}
