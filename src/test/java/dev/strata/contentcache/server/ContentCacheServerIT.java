package dev.strata.contentcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.strata.contentcache.v1.StoreContentHeader;
import dev.strata.contentcache.v1.StoreContentRequest;
import dev.strata.contentcache.v1.StoreContentResponse;
import dev.strata.registry.Digest;
import dev.strata.testing.ContentCacheProcess;
import dev.strata.testing.ContentCacheTestClient;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@code strata contentcache serve} as a separate process, over real sockets. */
class ContentCacheServerIT {
  private static final int MIB = 1 << 20;
  private static final String TOKEN = "it-token-1f3a9c";

  @TempDir Path tmp;

  private static byte[] bytes(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static ContentCacheTestClient client(
      ContentCacheProcess cache, ChannelCredentials credentials, String token) {
    return ContentCacheTestClient.on(
        Grpc.newChannelBuilderForAddress("127.0.0.1", cache.port(), credentials).build(), token);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void storesAndServesOverTcpWithATokenAndStopsGracefully() throws Exception {
    Path tokenFile = tmp.resolve("token");
    Files.writeString(tokenFile, TOKEN + "\n");
    int metricsPort = freePort();
    Path dir = tmp.resolve("cache");
    try (ContentCacheProcess cache =
        ContentCacheProcess.start(
            dir,
            "--token-file",
            tokenFile.toString(),
            "--max-bytes",
            "64M",
            "--metrics-listen",
            "127.0.0.1:" + metricsPort)) {
      assertThat(cache.log()).contains("contentcache serving on " + cache.hostPort());
      byte[] content = bytes(3 * MIB + 17, 1);
      String hash = Digest.sha256(content).toString();
      try (ContentCacheTestClient client =
          client(cache, InsecureChannelCredentials.create(), TOKEN)) {
        assertThat(client.store(content, hash).getSize()).isEqualTo(content.length);
        assertThat(client.read(hash, MIB + 1, 2 * MIB).bytes())
            .isEqualTo(Arrays.copyOfRange(content, MIB + 1, 3 * MIB + 1));
        assertThat(client.has(hash).getSize()).isEqualTo(content.length);
        assertThat(
                HealthGrpc.newBlockingStub(client.channel())
                    .check(HealthCheckRequest.getDefaultInstance())
                    .getStatus())
            .isEqualTo(ServingStatus.SERVING);
      }
      try (ContentCacheTestClient anonymous =
          client(cache, InsecureChannelCredentials.create(), null)) {
        assertThatThrownBy(() -> anonymous.has(hash))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
      }
      String metrics = httpGet("http://127.0.0.1:" + metricsPort + "/metrics");
      assertThat(metrics)
          .contains("strata_contentcache_requests_total{code=\"OK\",method=\"StoreContent\"} 1")
          .contains("code=\"UNAUTHENTICATED\"")
          .contains("strata_contentcache_stored_bytes " + content.length);

      assertThat(cache.stop()).as("exit status after SIGTERM").isEqualTo(143);
      assertThat(cache.log()).contains("contentcache stopped");
    }
    assertThat(
            Files.size(
                dir.resolve("content/sha256").resolve(Digest.sha256(bytes(3 * MIB + 17, 1)).hex())))
        .isEqualTo(3 * MIB + 17);
  }

  @Test
  void servesTlsWithACertificateMadeByOpenssl() throws Exception {
    Path cert = tmp.resolve("cert.pem");
    Path key = tmp.resolve("key.pem");
    Process openssl =
        new ProcessBuilder(
                List.of(
                    "openssl",
                    "req",
                    "-x509",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-days",
                    "2",
                    "-subj",
                    "/CN=localhost",
                    "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout",
                    key.toString(),
                    "-out",
                    cert.toString()))
            .redirectErrorStream(true)
            .start();
    String opensslOutput =
        new String(
            openssl.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(openssl.waitFor()).as(opensslOutput).isZero();

    try (ContentCacheProcess cache =
        ContentCacheProcess.start(
            tmp.resolve("cache"), "--tls-cert", cert.toString(), "--tls-key", key.toString())) {
      byte[] content = bytes(MIB, 2);
      String hash = Digest.sha256(content).toString();
      ChannelCredentials tls =
          TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build();
      try (ContentCacheTestClient client = client(cache, tls, null)) {
        client.store(content, hash);
        assertThat(client.read(hash, 0, content.length).bytes()).isEqualTo(content);
      }
      try (ContentCacheTestClient plaintext =
          client(cache, InsecureChannelCredentials.create(), null)) {
        assertThatThrownBy(() -> plaintext.has(hash))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      }
      assertThat(cache.stop()).isEqualTo(143);
    }
  }

  @Test
  void aServerKilledMidStoreKeepsWhatWasCommittedAndNothingPartial() throws Exception {
    Path dir = tmp.resolve("cache");
    byte[] committed = bytes(2 * MIB, 3);
    String committedHash = Digest.sha256(committed).toString();
    byte[] partial = bytes(64 * MIB, 4);
    String partialHash = Digest.sha256(partial).toString();

    try (ContentCacheProcess cache = ContentCacheProcess.start(dir)) {
      try (ContentCacheTestClient client =
          client(cache, InsecureChannelCredentials.create(), null)) {
        client.store(committed, committedHash);
        CompletableFuture<StoreContentResponse> cut = new CompletableFuture<>();
        StreamObserver<StoreContentRequest> upload = client.async().storeContent(into(cut));
        upload.onNext(
            StoreContentRequest.newBuilder()
                .setHeader(
                    StoreContentHeader.newBuilder()
                        .setExpectedHash(partialHash)
                        .setSize(partial.length))
                .build());
        for (int sent = 0; sent < 8 * MIB; sent += MIB) {
          upload.onNext(
              StoreContentRequest.newBuilder()
                  .setData(ByteString.copyFrom(partial, sent, MIB))
                  .build());
        }
        awaitPartialUpload(dir.resolve("tmp"), 4 * MIB);

        cache.kill(); // SIGKILL: no shutdown hook, no cleanup

        assertThat(cache.isAlive()).isFalse();
        assertThatThrownBy(() -> cut.get(30, TimeUnit.SECONDS))
            .hasCauseInstanceOf(StatusRuntimeException.class);
      }
    }

    try (ContentCacheProcess restarted = ContentCacheProcess.start(dir)) {
      assertThat(filesIn(dir.resolve("tmp"))).isEmpty();
      assertThat(filesIn(dir.resolve("content/sha256")))
          .containsExactly(Digest.parse(committedHash).hex());
      try (ContentCacheTestClient client =
          client(restarted, InsecureChannelCredentials.create(), null)) {
        assertThat(client.has(committedHash).getPresent()).isTrue();
        assertThat(client.has(committedHash).getSize()).isEqualTo(committed.length);
        assertThat(client.has(partialHash).getPresent()).isFalse();
        assertThat(client.read(committedHash, 0, committed.length).bytes()).isEqualTo(committed);
      }
      restarted.stop();
    }
  }

  private static void awaitPartialUpload(Path tmpDir, long atLeast) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try (Stream<Path> files = Files.list(tmpDir)) {
        if (files.anyMatch(f -> sizeOf(f) >= atLeast)) {
          return;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no upload of " + atLeast + " bytes appeared in " + tmpDir);
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private static List<String> filesIn(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).toList();
    }
  }

  private static String httpGet(String url) throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      return response.body();
    }
  }

  private static <T> StreamObserver<T> into(CompletableFuture<T> result) {
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
}
