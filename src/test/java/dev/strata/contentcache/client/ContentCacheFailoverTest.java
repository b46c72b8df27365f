package dev.strata.contentcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Dead, hanging and lost servers, over real loopback sockets: a stopped server refuses connections
 * and a hanging one accepts calls it never answers. Time bounds are generous multiples of the
 * deadline; a skipped call is compared against the deadline, not against a fixed small number.
 */
class ContentCacheFailoverTest {
  private static final Duration DEADLINE = Duration.ofSeconds(1);

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final MutableClock clock = new MutableClock();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  private TestServer server() {
    TestServer server = TestServer.loopback();
    toClose.add(server);
    return server;
  }

  private ContentCacheClient client(int replication, TestServer... servers) {
    ContentCacheClientBuilder builder =
        ContentCacheClient.builder()
            .readDeadline(DEADLINE)
            .lookupDeadline(DEADLINE)
            .replication(replication)
            .clock(clock);
    for (TestServer s : servers) {
      builder.server(s.address);
    }
    ContentCacheClient client = builder.build();
    toClose.add(client);
    return client;
  }

  private static EndpointStatus status(ContentCacheClient client, TestServer server) {
    return client.endpoints().stream()
        .filter(e -> e.endpoint().equals(Endpoint.parse(server.address)))
        .findFirst()
        .orElseThrow();
  }

  private record Timed<T>(T value, Duration took) {}

  private interface Call<T> {
    T run() throws Exception;
  }

  private static <T> Timed<T> timed(Call<T> call) throws Exception {
    long start = System.nanoTime();
    T value = call.run();
    return new Timed<>(value, Duration.ofNanos(System.nanoTime() - start));
  }

  @Test
  void aStoppedServerIsSkippedDuringItsBackoffAndUsedAgainOnceBack() throws Exception {
    TestServer server = server();
    String hash = server.fake.put(ContentCacheClientTest.random(4096, 1));
    ContentCacheClient client = client(1, server);
    assertThat(client.read(hash, 0, 4096)).isPresent();

    server.stop();
    Timed<Optional<byte[]>> failed = timed(() -> client.read(hash, 0, 4096));
    assertThat(failed.value()).isEmpty();
    assertThat(failed.took()).isLessThan(DEADLINE.multipliedBy(3));
    EndpointStatus down = status(client, server);
    assertThat(down.up()).isFalse();
    assertThat(down.lastFailure().orElseThrow()).contains("UNAVAILABLE");

    Timed<Optional<byte[]>> skipped = timed(() -> client.read(hash, 0, 4096));
    assertThat(skipped.value()).isEmpty();
    assertThat(skipped.took()).isLessThan(DEADLINE.dividedBy(10));
    assertThat(client.stats().skips()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(1)); // the probe finds it still dead: back-off doubles
    assertThat(client.read(hash, 0, 4096)).isEmpty();
    assertThat(status(client, server).downUntil()).contains(clock.instant().plusSeconds(2));
    assertThat(status(client, server).consecutiveFailures()).isEqualTo(2);

    server.restart();
    clock.advance(Duration.ofSeconds(1));
    assertThat(client.read(hash, 0, 4096)).isEmpty(); // still inside the back-off
    clock.advance(Duration.ofSeconds(1));
    assertThat(client.read(hash, 0, 4096)).isPresent();
    assertThat(status(client, server).up()).isTrue();
    assertThat(status(client, server).consecutiveFailures()).isZero();
  }

  @Test
  void aHangingServerCostsOneDeadlineAndIsThenSkipped() throws Exception {
    TestServer server = server();
    String hash = server.fake.put(ContentCacheClientTest.random(4096, 2));
    server.fake.hangReads = true;
    ContentCacheClient client = client(1, server);

    Timed<Optional<byte[]>> first = timed(() -> client.read(hash, 0, 4096));
    assertThat(first.value()).isEmpty();
    assertThat(first.took())
        .isBetween(DEADLINE.multipliedBy(9).dividedBy(10), DEADLINE.multipliedBy(3));
    assertThat(status(client, server).lastFailure().orElseThrow()).contains("DEADLINE_EXCEEDED");

    Timed<Optional<byte[]>> second = timed(() -> client.read(hash, 0, 4096));
    assertThat(second.value()).isEmpty();
    assertThat(second.took()).isLessThan(DEADLINE.dividedBy(10));
    Timed<Boolean> has = timed(() -> client.has(hash));
    assertThat(has.value()).isFalse();
    assertThat(has.took()).isLessThan(DEADLINE.dividedBy(10));
    assertThat(server.fake.getContentCalls.get()).isEqualTo(1);
  }

  @Test
  void contentIsSpreadOverTheServersAndAKilledServerLosesOnlyItsShare() throws Exception {
    TestServer a = server();
    TestServer b = server();
    TestServer c = server();
    ContentCacheClient client = client(1, a, b, c);
    Map<Endpoint, TestServer> byEndpoint = new HashMap<>();
    for (TestServer s : List.of(a, b, c)) {
      byEndpoint.put(Endpoint.parse(s.address), s);
    }
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      byte[] content = ContentCacheClientTest.random(1000 + i, 100 + i);
      StoredContent stored = client.store(FakeContentCache.sha256(content), null, content);
      assertThat(stored.storedOn()).containsExactly(client.route(stored.hash()).getFirst());
      hashes.add(stored.hash());
    }
    for (TestServer s : List.of(a, b, c)) {
      assertThat(s.fake.contents.size()).isBetween(8, 40);
    }

    b.stop();
    int lost = 0;
    for (String hash : hashes) {
      boolean ownedByB = byEndpoint.get(client.route(hash).getFirst()) == b;
      Optional<byte[]> read = client.read(hash, 0, 1000);
      assertThat(read.isPresent()).as(hash).isEqualTo(!ownedByB);
      lost += ownedByB ? 1 : 0;
    }
    assertThat(lost).isEqualTo(b.fake.contents.size());
    assertThat(client.stats().endpointFailures()).isEqualTo(1); // then b was skipped
  }

  @Test
  void withTwoReplicasReadsAndWritesGoOnWhenOneServerIsDead() throws Exception {
    TestServer a = server();
    TestServer b = server();
    TestServer c = server();
    ContentCacheClient client = client(2, a, b, c);
    List<String> hashes = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      byte[] content = ContentCacheClientTest.random(2000, 200 + i);
      StoredContent stored = client.store(FakeContentCache.sha256(content), null, content);
      assertThat(stored.storedOn()).isEqualTo(client.replicas(stored.hash()));
      hashes.add(stored.hash());
    }
    client.putReference("layer-index/x/1", hashes.getFirst());

    a.stop();
    for (String hash : hashes) {
      assertThat(client.read(hash, 0, 2000)).as(hash).isPresent();
    }
    assertThat(client.getReference("layer-index/x/1")).contains(hashes.getFirst());
    byte[] more = ContentCacheClientTest.random(3000, 300);
    String hash = FakeContentCache.sha256(more);
    StoredContent stored = client.store(hash, null, more);
    assertThat(stored.storedOn())
        .isNotEmpty()
        .doesNotContain(Endpoint.parse(a.address))
        .isSubsetOf(client.replicas(hash));
    assertThat(client.read(hash, 0, 3000)).contains(more);
  }

  @Test
  void anUploadToADeadServerNeverThrowsIntoTheProducer() throws Exception {
    TestServer server = server();
    ContentCacheClient client = client(1, server);
    server.stop();
    byte[] buffer = ContentCacheClientTest.random(1 << 20, 3);

    ContentUpload upload = client.openUpload("", "layer", -1);
    for (int i = 0; i < 4; i++) {
      upload.write(buffer, 0, buffer.length); // no exception, whatever happens to the cache
    }

    assertThat(upload.isFailed()).isTrue();
    assertThat(upload.failure().orElseThrow().code()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThatThrownBy(upload::commit)
        .isInstanceOfSatisfying(
            ContentCacheException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(status(client, server).up()).isFalse();

    ContentUpload skipped = client.openUpload("", "layer", -1);
    assertThat(skipped.isFailed()).isTrue();
    skipped.write(buffer, 0, buffer.length);
    skipped.close();
  }

  @Test
  void anUploadToAServerThatStopsReadingGivesUpAfterTheIdleTimeout() throws Exception {
    TestServer server = server();
    server.fake.hangStores = true;
    ContentCacheClient client =
        ContentCacheClient.builder()
            .server(server.address)
            .storeIdleTimeout(Duration.ofSeconds(1))
            .clock(clock)
            .build();
    toClose.add(client);
    byte[] buffer = ContentCacheClientTest.random(1 << 20, 4);

    long start = System.nanoTime();
    try (ContentUpload upload = client.openUpload("", "layer", -1)) {
      for (int i = 0; i < 256 && !upload.isFailed(); i++) {
        upload.write(buffer, 0, buffer.length);
      }
      assertThat(upload.isFailed()).isTrue();
      assertThat(upload.failure().orElseThrow().code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(status(client, server).up()).isFalse();
  }

  @Test
  void aLargeUploadToASlowServerIsPacedByFlowControl() throws Exception {
    TestServer server = server();
    server.fake.storeDelayMillis = 15;
    server.fake.keepLimit = 0;
    ContentCacheClient client = client(1, server);
    long size = 64L << 20;
    String expected = generated(size, null);

    long[] maxAhead = {0};
    ContentUpload upload = client.openUpload(expected, null, size);
    generated(
        size,
        (bytes, n) -> {
          upload.write(bytes, 0, n);
          long ahead = upload.bytesWritten() - server.fake.receivedBytes.get();
          maxAhead[0] = Math.max(maxAhead[0], ahead);
        });
    StoredContent stored = upload.commit();

    assertThat(stored.hash()).isEqualTo(expected);
    assertThat(stored.size()).isEqualTo(size);
    assertThat(server.fake.receivedBytes.get()).isEqualTo(size);
    assertThat(server.fake.sizes).containsEntry(expected, size);
    // Never more than a few messages between the producer and the server, not the whole stream.
    assertThat(maxAhead[0]).isLessThan(16L << 20);
  }

  private interface Sink {
    void accept(byte[] bytes, int n);
  }

  /** Streams {@code size} deterministic bytes through one reused buffer; returns their hash. */
  private static String generated(long size, Sink sink) {
    java.util.Random random = new java.util.Random(64);
    java.security.MessageDigest digest = FakeContentCache.digest();
    byte[] buffer = new byte[64 << 10];
    for (long done = 0; done < size; done += buffer.length) {
      random.nextBytes(buffer);
      int n = (int) Math.min(buffer.length, size - done);
      digest.update(buffer, 0, n);
      if (sink != null) {
        sink.accept(buffer, n);
      }
    }
    return "sha256:" + java.util.HexFormat.of().formatHex(digest.digest());
  }
}
