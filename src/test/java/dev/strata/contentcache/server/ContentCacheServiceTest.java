package dev.strata.contentcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.strata.contentcache.v1.AcquireLeaseRequest;
import dev.strata.contentcache.v1.AcquireLeaseResponse;
import dev.strata.contentcache.v1.ContentChunk;
import dev.strata.contentcache.v1.GetContentRequest;
import dev.strata.contentcache.v1.GetReferenceRequest;
import dev.strata.contentcache.v1.PutReferenceRequest;
import dev.strata.contentcache.v1.StoreContentHeader;
import dev.strata.contentcache.v1.StoreContentRequest;
import dev.strata.contentcache.v1.StoreContentResponse;
import dev.strata.registry.Digest;
import dev.strata.testing.ContentCacheTestClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The protocol through real generated stubs over the in-process transport. */
class ContentCacheServiceTest {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  private final TestClock clock = new TestClock();
  private InProcessCache cache;
  private ContentCacheTestClient client;

  private void start(ServerOptions options) throws Exception {
    cache = new InProcessCache(options.withClock(clock));
    client = cache.client();
  }

  private void start() throws Exception {
    start(ServerOptions.of(dir, 256L * MIB));
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close();
    }
    if (cache != null) {
      cache.close();
    }
  }

  private static byte[] bytes(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static void assertStatus(ThrowingCallable call, Status.Code code) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class, e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
  }

  @Test
  void storedContentReadsBackInAnyRange() throws Exception {
    start();
    byte[] content = bytes(5 * MIB + 123, 1);
    String hash = Digest.sha256(content).toString();

    StoreContentResponse stored = client.store(content, hash);

    assertThat(stored.getHash()).isEqualTo(hash);
    assertThat(stored.getSize()).isEqualTo(content.length);
    assertThat(client.has(hash).getPresent()).isTrue();
    assertThat(client.has(hash).getSize()).isEqualTo(content.length);
    long[][] ranges = {
      {0, content.length}, {0, 1}, {content.length - 1, 1}, {MIB - 7, 2 * MIB + 11}, {4242, 0}
    };
    for (long[] r : ranges) {
      assertThat(client.read(hash, r[0], r[1]).bytes())
          .as("range %d+%d", r[0], r[1])
          .isEqualTo(Arrays.copyOfRange(content, (int) r[0], (int) (r[0] + r[1])));
    }
    ContentCacheTestClient.Range whole = client.read(hash, 0, content.length);
    assertThat(whole.chunks()).isEqualTo(6); // at most 1 MiB per message
  }

  @Test
  void rangesBeyondTheHotCacheStreamFromDisk() throws Exception {
    start(ServerOptions.of(dir, 256L * MIB).withMemoryBytes(0));
    byte[] content = bytes(HotRanges.MAX_RANGE + 3 * MIB + 5, 2);
    String hash = Digest.sha256(content).toString();
    client.store(content, hash);

    ContentCacheTestClient.Range range = client.read(hash, 1, content.length - 1);

    assertThat(range.bytes()).isEqualTo(Arrays.copyOfRange(content, 1, content.length));
    assertThat(range.chunks()).isEqualTo(12);
    assertThat(cache.server.store().stat(Digest.parse(hash))).isPresent();
  }

  @Test
  void aRepeatedRangeIsServedFromMemory() throws Exception {
    start();
    byte[] content = bytes(3 * MIB, 3);
    String hash = Digest.sha256(content).toString();
    client.store(content, hash);

    client.read(hash, MIB, 2 * MIB);
    byte[] again = client.read(hash, MIB, 2 * MIB).bytes();

    assertThat(again).isEqualTo(Arrays.copyOfRange(content, MIB, 3 * MIB));
    assertThat(cache.server.metrics().hotHits.get()).isEqualTo(1);
    assertThat(cache.server.metrics().hotMisses.get()).isEqualTo(1);
  }

  @Test
  void rangesOutsideTheContentAreInvalid() throws Exception {
    start();
    byte[] content = bytes(1000, 4);
    String hash = Digest.sha256(content).toString();
    client.store(content, hash);

    assertStatus(() -> client.read(hash, 1001, 0), Status.Code.INVALID_ARGUMENT);
    assertStatus(() -> client.read(hash, 999, 2), Status.Code.INVALID_ARGUMENT);
    assertStatus(() -> client.read(hash, -1, 1), Status.Code.INVALID_ARGUMENT);
    assertStatus(() -> client.read(hash, 0, -1), Status.Code.INVALID_ARGUMENT);
    assertStatus(() -> client.read(hash, 1, Long.MAX_VALUE), Status.Code.INVALID_ARGUMENT);
    assertThat(client.read(hash, 1000, 0).bytes()).isEmpty();
  }

  @Test
  void malformedHashesAreInvalid() throws Exception {
    start();
    for (String bad :
        new String[] {"", "sha256:abc", "md5:" + "0".repeat(32), "sha256:" + "A".repeat(64)}) {
      assertStatus(() -> client.read(bad, 0, 1), Status.Code.INVALID_ARGUMENT);
      assertStatus(() -> client.has(bad), Status.Code.INVALID_ARGUMENT);
      if (!bad.isEmpty()) { // an empty expected hash accepts any content
        assertStatus(() -> client.store(new byte[1], bad), Status.Code.INVALID_ARGUMENT);
      }
    }
    assertStatus(() -> client.has("sha512:" + "0".repeat(128)), Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void unknownContentIsNotFound() throws Exception {
    start();
    String missing = Digest.sha256(new byte[] {1}).toString();
    assertStatus(() -> client.read(missing, 0, 1), Status.Code.NOT_FOUND);
    assertThat(client.has(missing).getPresent()).isFalse();
  }

  @Test
  void aHashMismatchIsAFailedPreconditionAndKeepsNothing() throws Exception {
    start();
    byte[] content = bytes(2 * MIB, 5);
    String claimed = Digest.sha256(bytes(2 * MIB, 6)).toString();

    assertStatus(() -> client.store(content, claimed), Status.Code.FAILED_PRECONDITION);

    assertThat(client.has(claimed).getPresent()).isFalse();
    assertThat(client.has(Digest.sha256(content).toString()).getPresent()).isFalse();
    assertThat(filesUnder("tmp")).isZero();
    assertThat(filesUnder("content/sha256")).isZero();
  }

  @Test
  void contentLargerThanTheStoreIsResourceExhausted() throws Exception {
    start(ServerOptions.of(dir, MIB));
    byte[] content = bytes(MIB + 1, 7);
    assertStatus(() -> client.store(content, ""), Status.Code.RESOURCE_EXHAUSTED);
    assertStatus(
        () -> client.store("", 0, ContentCacheTestClient.chunks(content, 4096)),
        Status.Code.RESOURCE_EXHAUSTED);
    assertThat(filesUnder("tmp")).isZero();
  }

  @Test
  void storingExistingContentAgainAnswersItsHash() throws Exception {
    start();
    byte[] content = bytes(100_000, 8);
    String hash = Digest.sha256(content).toString();
    client.store(content, hash);
    StoreContentResponse again = client.store(content, "");
    assertThat(again.getHash()).isEqualTo(hash);
    assertThat(again.getSize()).isEqualTo(content.length);
    assertThat(cache.server.store().storedBytes()).isEqualTo(content.length);
  }

  @Test
  void aHeaderAfterDataIsInvalid() throws Exception {
    start();
    CompletableFuture<StoreContentResponse> done = new CompletableFuture<>();
    StreamObserver<StoreContentRequest> requests = client.async().storeContent(future(done));
    requests.onNext(data(new byte[10]));
    requests.onNext(
        StoreContentRequest.newBuilder()
            .setHeader(StoreContentHeader.getDefaultInstance())
            .build());
    requests.onCompleted();
    assertStatus(() -> awaitCause(done), Status.Code.INVALID_ARGUMENT);
    assertThat(filesUnder("tmp")).isZero();
  }

  @Test
  void aCancelledStoreLeavesNothing() throws Exception {
    start();
    CompletableFuture<StoreContentResponse> done = new CompletableFuture<>();
    StreamObserver<StoreContentRequest> requests = client.async().storeContent(future(done));
    requests.onNext(
        StoreContentRequest.newBuilder()
            .setHeader(StoreContentHeader.newBuilder().setSize(10 * MIB))
            .build());
    requests.onNext(data(bytes(MIB, 9)));
    awaitFiles("tmp", 1);

    requests.onError(new RuntimeException("client gave up"));

    awaitFiles("tmp", 0);
    assertThat(filesUnder("content/sha256")).isZero();
    assertThat(cache.server.store().storedBytes()).isZero();
  }

  @Test
  void aLargeRangeIsSentOnlyAsFastAsTheClientTakesIt() throws Exception {
    start(ServerOptions.of(dir, 256L * MIB).withMemoryBytes(0));
    byte[] content = bytes(16 * MIB, 10);
    String hash = Digest.sha256(content).toString();
    client.store(content, hash);
    AtomicReference<ClientCallStreamObserver<GetContentRequest>> call = new AtomicReference<>();
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    CompletableFuture<Void> done = new CompletableFuture<>();

    client
        .async()
        .getContent(
            GetContentRequest.newBuilder().setHash(hash).setLength(content.length).build(),
            new ClientResponseObserver<GetContentRequest, ContentChunk>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<GetContentRequest> stream) {
                stream.disableAutoRequestWithInitial(1);
                call.set(stream);
              }

              @Override
              public void onNext(ContentChunk chunk) {
                synchronized (received) {
                  received.writeBytes(chunk.getData().toByteArray());
                }
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(null);
              }
            });

    Thread.sleep(300);
    assertThat(cache.server.metrics().bytesServed.get())
        .as("sent while the client asked for one message")
        .isLessThanOrEqualTo(2.0 * MIB);
    call.get().request(Integer.MAX_VALUE);
    done.get(30, TimeUnit.SECONDS);
    assertThat(received.toByteArray()).isEqualTo(content);
  }

  @Test
  void aClientThatCancelsAReadReleasesTheContent() throws Exception {
    start(ServerOptions.of(dir, 40L * MIB).withMemoryBytes(0));
    byte[] content = bytes(16 * MIB, 11);
    String hash = Digest.sha256(content).toString();
    client.store(content, hash);
    io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
    context.run(
        () -> {
          var chunks =
              client
                  .blocking()
                  .getContent(
                      GetContentRequest.newBuilder()
                          .setHash(hash)
                          .setLength(content.length)
                          .build());
          chunks.next();
        });
    context.cancel(null);

    // once the read's pin is gone, two new contents push the unread one out
    for (int i = 0; i < 2; i++) {
      byte[] other = bytes(16 * MIB, 12 + i);
      client.store(other, Digest.sha256(other).toString());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (client.has(hash).getPresent() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(client.has(hash).getPresent()).isFalse();
    assertThat(cache.server.store().storedBytes()).isEqualTo(32L * MIB);
  }

  @Test
  void referencesPointAtContent() throws Exception {
    start();
    String name = "layer-index/sha256:" + "ab".repeat(32) + "/1";
    String hash = Digest.sha256(new byte[] {1, 2}).toString();

    client
        .blocking()
        .putReference(PutReferenceRequest.newBuilder().setName(name).setHash(hash).build());

    assertThat(
            client
                .blocking()
                .getReference(GetReferenceRequest.newBuilder().setName(name).build())
                .getHash())
        .isEqualTo(hash);
    assertStatus(
        () ->
            client
                .blocking()
                .getReference(GetReferenceRequest.newBuilder().setName("nope/1").build()),
        Status.Code.NOT_FOUND);
    assertStatus(
        () ->
            client
                .blocking()
                .putReference(
                    PutReferenceRequest.newBuilder().setName("../x").setHash(hash).build()),
        Status.Code.INVALID_ARGUMENT);
    assertStatus(
        () ->
            client
                .blocking()
                .putReference(
                    PutReferenceRequest.newBuilder().setName("ok").setHash("sha256:x").build()),
        Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void leasesGoToOneHolderAtATime() throws Exception {
    start();
    AcquireLeaseRequest.Builder request =
        AcquireLeaseRequest.newBuilder().setKey("publish/layer").setTtlMillis(30_000);

    AcquireLeaseResponse a = client.blocking().acquireLease(request.setHolder("node-a").build());
    AcquireLeaseResponse b = client.blocking().acquireLease(request.setHolder("node-b").build());
    clock.advance(Duration.ofSeconds(31));
    AcquireLeaseResponse later =
        client.blocking().acquireLease(request.setHolder("node-b").build());

    assertThat(a.getGranted()).isTrue();
    assertThat(a.getExpiresAtMillis()).isEqualTo(clock.instant().minusSeconds(1).toEpochMilli());
    assertThat(b.getGranted()).isFalse();
    assertThat(b.getHolder()).isEqualTo("node-a");
    assertThat(later.getGranted()).isTrue();
    assertStatus(
        () -> client.blocking().acquireLease(request.setHolder("node-c").setTtlMillis(0).build()),
        Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void callsAreCountedByMethodAndCode() throws Exception {
    start();
    String missing = Digest.sha256(new byte[] {3}).toString();
    assertStatus(() -> client.read(missing, 0, 1), Status.Code.NOT_FOUND);
    client.has(missing);
    byte[] content = bytes(1000, 13);
    client.store(content, "");
    client.read(Digest.sha256(content).toString(), 0, 1000);

    String text = cache.server.metrics().text();

    assertThat(text)
        .contains("strata_contentcache_requests_total{code=\"NOT_FOUND\",method=\"GetContent\"} 1")
        .contains("strata_contentcache_requests_total{code=\"OK\",method=\"HasContent\"} 1")
        .contains("strata_contentcache_requests_total{code=\"OK\",method=\"StoreContent\"} 1")
        .contains("strata_contentcache_served_bytes_total 1000")
        .contains("strata_contentcache_received_bytes_total 1000")
        .contains("strata_contentcache_stored_bytes 1000")
        .contains("strata_contentcache_request_duration_seconds_bucket");
  }

  private static StoreContentRequest data(byte[] bytes) {
    return StoreContentRequest.newBuilder().setData(ByteString.copyFrom(bytes)).build();
  }

  private static <T> StreamObserver<T> future(CompletableFuture<T> result) {
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
      public void onCompleted() {}
    };
  }

  private static void awaitCause(CompletableFuture<?> future) throws Throwable {
    try {
      future.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause();
    }
  }

  private long filesUnder(String sub) throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve(sub))) {
      return files.count();
    }
  }

  private void awaitFiles(String sub, long count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (filesUnder(sub) != count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(filesUnder(sub)).isEqualTo(count);
  }
}
