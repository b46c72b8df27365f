package dev.strata.contentcache.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against real in-process gRPC servers holding contents in memory. */
class ContentCacheClientTest {
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose.reversed()) {
      c.close();
    }
  }

  private TestServer server(String token) {
    TestServer server = TestServer.inProcess(token);
    toClose.add(server);
    return server;
  }

  private ContentCacheClientBuilder builder(TestServer... servers) {
    ContentCacheClientBuilder builder =
        ContentCacheClient.builder().channelFactory(TestServer.inProcessChannels());
    for (TestServer s : servers) {
      builder.server(s.address);
    }
    return builder;
  }

  private ContentCacheClient client(ContentCacheClientBuilder builder) {
    ContentCacheClient client = builder.build();
    toClose.add(client);
    return client;
  }

  static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  @Test
  void readsARangeGatheredFromStreamedChunks() throws Exception {
    TestServer server = server(null);
    byte[] content = random(3 << 20, 1);
    String hash = server.fake.put(content);
    ContentCacheClient client = client(builder(server));

    byte[] range = client.read(hash, 1000, (2 << 20) + 17).orElseThrow();

    assertThat(range).isEqualTo(java.util.Arrays.copyOfRange(content, 1000, 1000 + (2 << 20) + 17));
    assertThat(client.read(hash, content.length, 0)).contains(new byte[0]);
    assertThat(client.stats().hits()).isEqualTo(2);
    assertThat(client.stats().bytesRead()).isEqualTo((2 << 20) + 17);
  }

  @Test
  void aMissIsEmptyAndLeavesTheServerUp() throws Exception {
    TestServer server = server(null);
    ContentCacheClient client = client(builder(server));
    String absent = FakeContentCache.sha256(new byte[] {1});

    assertThat(client.read(absent, 0, 1)).isEmpty();
    assertThat(client.has(absent)).isFalse();
    assertThat(client.readAll(absent, 100)).isEmpty();
    assertThat(client.getReference("layer-index/" + absent + "/1")).isEmpty();
    assertThat(client.endpoints()).allSatisfy(e -> assertThat(e.up()).isTrue());
    assertThat(client.stats().misses()).isEqualTo(2);
    assertThat(client.stats().endpointFailures()).isZero();
  }

  @Test
  void aRefusedRangeIsATypedErrorAndNotAnOutage() throws Exception {
    TestServer server = server(null);
    String hash = server.fake.put(random(100, 2));
    ContentCacheClient client = client(builder(server));

    assertThatThrownBy(() -> client.read(hash, 90, 20))
        .isInstanceOfSatisfying(
            ContentCacheException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.endpoint()).contains(Endpoint.parse(server.address));
            });
    assertThat(client.endpoints().getFirst().up()).isTrue();
    assertThat(client.stats().errors()).isEqualTo(1);
    assertThat(client.read(hash, 90, 10)).isPresent();
  }

  @Test
  void aResponseOfTheWrongLengthIsNeverReturnedAndCountsAsAFailure() throws Exception {
    for (int error : new int[] {-1, +1}) {
      TestServer server = server(null);
      String hash = server.fake.put(random(1 << 20, 3));
      server.fake.lengthError = error;
      ContentCacheClient client = client(builder(server));

      assertThat(client.read(hash, 0, 1000)).as("length error %d", error).isEmpty();
      EndpointStatus status = client.endpoints().getFirst();
      assertThat(status.up()).isFalse();
      assertThat(status.lastFailure().orElseThrow()).contains("bytes for 1000");
      assertThat(client.stats().endpointFailures()).isEqualTo(1);
    }
  }

  @Test
  void sizeHasAndReadAllForSmallContents() throws Exception {
    TestServer server = server(null);
    byte[] index = random(700_000, 4);
    String hash = server.fake.put(index);
    String empty = server.fake.put(new byte[0]);
    ContentCacheClient client = client(builder(server));

    assertThat(client.has(hash)).isTrue();
    assertThat(client.size(hash)).hasValue(700_000);
    assertThat(client.readAll(hash, 1 << 20)).contains(index);
    assertThat(client.readAll(empty, 10)).contains(new byte[0]);
    assertThatThrownBy(() -> client.readAll(hash, 1000))
        .isInstanceOfSatisfying(
            ContentCacheException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.OUT_OF_RANGE));
  }

  @Test
  void referencesAreStoredAndFoundByName() throws Exception {
    TestServer server = server(null);
    ContentCacheClient client = client(builder(server));
    String name = "layer-index/sha256:" + "ab".repeat(32) + "/1";
    String hash = "sha256:" + "cd".repeat(32);

    client.putReference(name, hash);

    assertThat(client.getReference(name)).contains(hash);
    assertThat(server.fake.references).containsEntry(name, hash);
  }

  @Test
  void leasesAreGrantedToOneHolderAtATime() throws Exception {
    TestServer server = server(null);
    ContentCacheClient client = client(builder(server));

    Lease first =
        client.acquireLease("publish/sha256:aa", "node-a", Duration.ofMinutes(1)).orElseThrow();
    Lease second =
        client.acquireLease("publish/sha256:aa", "node-b", Duration.ofMinutes(1)).orElseThrow();

    assertThat(first.granted()).isTrue();
    assertThat(first.holder()).isEqualTo("node-a");
    assertThat(first.server()).isEqualTo(Endpoint.parse(server.address));
    assertThat(second.granted()).isFalse();
    assertThat(second.holder()).isEqualTo("node-a");
    assertThat(second.expiresAt()).isEqualTo(first.expiresAt());
  }

  @Test
  void storesBytesAndStreamsThenReadsThemBack() throws Exception {
    TestServer server = server(null);
    ContentCacheClient client = client(builder(server).chunkBytes(64 << 10));
    byte[] small = random(5000, 5);
    byte[] big = random((3 << 20) + 5, 6);

    StoredContent a = client.store(FakeContentCache.sha256(small), null, small);
    StoredContent b =
        client.store(FakeContentCache.sha256(big), null, new ByteArrayInputStream(big), big.length);

    assertThat(a.hash()).isEqualTo(FakeContentCache.sha256(small));
    assertThat(a.size()).isEqualTo(5000);
    assertThat(a.storedOn()).containsExactly(Endpoint.parse(server.address));
    assertThat(b.size()).isEqualTo(big.length);
    assertThat(client.readAll(b.hash(), big.length)).contains(big);
    assertThat(client.stats().stores()).isEqualTo(2);
    assertThat(client.stats().bytesStored()).isEqualTo(5000 + big.length);
  }

  @Test
  void uploadCopiesTheCallersBufferWhichMayBeReused() throws Exception {
    TestServer server = server(null);
    ContentCacheClient client = client(builder(server).chunkBytes(1000));
    byte[] content = random(10_000, 7);
    byte[] buffer = new byte[300];

    try (ContentUpload upload = client.openUpload("", FakeContentCache.sha256(content), -1)) {
      for (int at = 0; at < content.length; at += buffer.length) {
        int n = Math.min(buffer.length, content.length - at);
        System.arraycopy(content, at, buffer, 0, n);
        upload.write(buffer, 0, n);
        java.util.Arrays.fill(buffer, (byte) 0);
      }
      upload.write(content, 0, 0);
      assertThat(upload.commit().hash()).isEqualTo(FakeContentCache.sha256(content));
    }
    assertThat(server.fake.contents.get(FakeContentCache.sha256(content))).isEqualTo(content);
  }

  @Test
  void contentThatDoesNotMatchItsExpectedHashIsRefusedWithoutMarkingTheServerDown() {
    TestServer server = server(null);
    ContentCacheClient client = client(builder(server));
    String wrong = FakeContentCache.sha256(new byte[] {9});

    assertThatThrownBy(() -> client.store(wrong, null, new byte[] {1, 2, 3}))
        .isInstanceOfSatisfying(
            ContentCacheException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    assertThat(client.endpoints().getFirst().up()).isTrue();
    assertThat(server.fake.contents).isEmpty();
    assertThat(client.stats().storeFailures()).isEqualTo(1);
  }

  @Test
  void anUploadOfTheWrongDeclaredSizeIsNotCommitted() throws Exception {
    TestServer server = server(null);
    ContentCacheClient client = client(builder(server));
    byte[] content = random(100, 8);

    try (ContentUpload upload = client.openUpload(FakeContentCache.sha256(content), null, 101)) {
      upload.write(content);
      assertThatThrownBy(upload::commit)
          .isInstanceOfSatisfying(
              ContentCacheException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
      assertThat(upload.isFailed()).isTrue();
    }
    assertThat(server.fake.sizes).isEmpty();
  }

  @Test
  void closingAnUncommittedUploadAbortsItAndLaterWritesAreIgnored() throws Exception {
    TestServer server = server(null);
    ContentCacheClient client = client(builder(server));
    byte[] content = random(100, 9);

    ContentUpload upload = client.openUpload("", "some-key", -1);
    upload.write(content);
    upload.close();
    upload.write(content); // no-op: an aborted upload takes nothing and throws nothing

    assertThat(upload.isFailed()).isTrue();
    assertThat(upload.failure().orElseThrow().code()).isEqualTo(Status.Code.CANCELLED);
    assertThatThrownBy(upload::commit).isInstanceOf(ContentCacheException.class);
    assertThat(server.fake.sizes).isEmpty();
    assertThat(client.endpoints().getFirst().up()).isTrue();
  }

  @Test
  void theBearerTokenIsSentAndAWrongOneIsAnErrorNotAnOutage() throws Exception {
    TestServer server = server("s3cret-token");
    String hash = server.fake.put(random(10, 10));
    ContentCacheClient good = client(builder(server).bearerToken("s3cret-token"));
    ContentCacheClient bad = client(builder(server).bearerToken("wrong"));
    ContentCacheClient none = client(builder(server));

    assertThat(good.read(hash, 0, 10)).isPresent();
    assertThat(server.lastAuthorization).isEqualTo("Bearer s3cret-token");
    for (ContentCacheClient refused : List.of(bad, none)) {
      assertThatThrownBy(() -> refused.has(hash))
          .isInstanceOfSatisfying(
              ContentCacheException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED);
                assertThat(e.getMessage()).doesNotContain("s3cret");
              });
      assertThat(refused.endpoints().getFirst().up()).isTrue();
    }
    assertThat(server.lastAuthorization).isNull();
  }

  @Test
  void routesEveryKeyToItsReplicasInRouteOrder() {
    TestServer a = server(null);
    TestServer b = server(null);
    TestServer c = server(null);
    ContentCacheClient client = client(builder(a, b, c).replication(2));

    List<Endpoint> route = client.route("sha256:0123");
    assertThat(route).hasSize(3).doesNotHaveDuplicates();
    assertThat(client.replicas("sha256:0123")).isEqualTo(route.subList(0, 2));
    assertThat(client.route("sha256:0123")).isEqualTo(route);
    assertThat(client.replication()).isEqualTo(2);
  }

  @Test
  void theBuilderFailsFast() {
    assertThatThrownBy(() -> ContentCacheClient.builder().build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ContentCacheClient.builder().server("a:1").server("a:1").build())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> ContentCacheClient.builder().replication(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ContentCacheClient.builder().readDeadline(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                ContentCacheClient.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> ContentCacheClient.builder().server("a:1").bearerToken("has space").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                ContentCacheClient.builder()
                    .server("a:1")
                    .trustCertificates(java.nio.file.Path.of("/nonexistent/ca.pem"))
                    .build())
        .isInstanceOf(java.io.UncheckedIOException.class);
  }
}
