package dev.strata.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.testing.BuiltLayout;
import dev.strata.testing.Fault;
import dev.strata.testing.FaultProxy;
import dev.strata.testing.OciLayouts;
import dev.strata.testing.Registries;
import dev.strata.testing.RegistryServer;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults injected by a proxy in front of the real registry: every one either is survived with the
 * right bytes (retry, resume) or ends in a clear error — never in wrong bytes.
 */
class RegistryFaultIT {
  private static final String BLOB_PATH = "/v2/faults/image/blobs/sha256:[0-9a-f]{64}";
  private static final String MANIFEST_PATH = "/v2/faults/image/manifests/.*";

  @TempDir static Path dir;
  static RegistryServer registry;
  static FaultProxy proxy;
  static BuiltLayout image;
  static Repository repo;
  static BuiltLayout.Layer bigLayer;
  static byte[] bigLayerBytes;

  final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  final RegistryClient client =
      RegistryClient.builder()
          .sleeper(sleeps::add) // record backoff instead of waiting
          .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5))
          .build();

  @BeforeAll
  static void pushImage() {
    registry = Registries.plain();
    image = OciLayouts.image(dir.resolve("img"), "1.0", 21, 2, 600 * 1024);
    OciLayouts.pushWithSkopeo(image.layoutDir(), "1.0", registry.hostPort() + "/faults/image:1.0");
    proxy = FaultProxy.inFrontOf(registry);
    repo = new Repository(proxy.hostPort(), "faults/image");
    bigLayer = image.image().layers().getFirst();
    bigLayerBytes = image.blob(bigLayer.digest());
  }

  @AfterAll
  static void stopProxy() {
    proxy.close();
  }

  @AfterEach
  void resetProxy() {
    proxy.reset();
    client.close();
  }

  private byte[] readBigLayer() throws Exception {
    try (InputStream in = client.openBlob(repo, Digest.parse(bigLayer.digest()), bigLayer.size())) {
      return in.readAllBytes();
    }
  }

  private ImageRef ref() {
    return ImageRef.parse(proxy.hostPort() + "/faults/image:1.0");
  }

  @Test
  void aConnectionResetMidBodyResumesFromTheLastByte() throws Exception {
    proxy.arm(Fault.resetAfterBodyBytes(200_000), "GET", BLOB_PATH, 1);
    assertThat(readBigLayer()).isEqualTo(bigLayerBytes);
    List<String> ranges = proxy.headersSeen("Range");
    assertThat(ranges).hasSize(1);
    long resumedAt = Long.parseLong(ranges.getFirst().replaceAll("bytes=(\\d+)-.*", "$1"));
    // resumed where the body broke (the client may not have consumed the very last buffer)
    assertThat(resumedAt).isBetween(100_000L, 200_000L);
    assertThat(proxy.count("GET", BLOB_PATH)).isEqualTo(2);
  }

  @Test
  void aTruncatedBodyResumesToo() throws Exception {
    proxy.arm(Fault.truncateAfterBodyBytes(300_000), "GET", BLOB_PATH, 2);
    assertThat(readBigLayer()).isEqualTo(bigLayerBytes);
    assertThat(proxy.count("GET", BLOB_PATH)).isEqualTo(3);
    assertThat(proxy.headersSeen("Range")).hasSize(2);
  }

  @Test
  void aRangeReadResumesWithinItsRange() throws Exception {
    proxy.arm(Fault.resetAfterBodyBytes(10_000), "GET", BLOB_PATH, 1);
    try (InputStream in =
        client.openBlobRange(repo, Digest.parse(bigLayer.digest()), 100_000, 50_000)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(bigLayerBytes, 100_000, 150_000));
    }
    assertThat(proxy.headersSeen("Range").getFirst()).isEqualTo("bytes=100000-149999");
    assertThat(proxy.headersSeen("Range").getLast()).endsWith("-149999");
  }

  @Test
  void serviceUnavailableIsRetriedWithBackoff() throws Exception {
    proxy.arm(Fault.status(503), "GET", MANIFEST_PATH, 2);
    ImageManifest resolved = client.resolve(ref(), Platform.host());
    assertThat(resolved.manifestDigest()).hasToString(image.digest());
    assertThat(sleeps).hasSize(2);
    assertThat(sleeps.get(0)).isLessThanOrEqualTo(RetryPolicy.DEFAULT.baseDelay());
    assertThat(sleeps.get(1)).isLessThanOrEqualTo(RetryPolicy.DEFAULT.baseDelay().multipliedBy(2));
  }

  @Test
  void tooManyRequestsHonoursRetryAfter() throws Exception {
    proxy.arm(Fault.status(429, Map.of("Retry-After", "2")), "GET", MANIFEST_PATH, 1);
    client.resolve(ref(), Platform.host());
    assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
  }

  @Test
  void persistentFailureEndsInAClearErrorAfterTheConfiguredRetries() {
    proxy.arm(Fault.status(503), "GET", MANIFEST_PATH, FaultProxy.ALWAYS);
    try (RegistryClient twoRetries =
        RegistryClient.builder()
            .sleeper(sleeps::add)
            .retryPolicy(RetryPolicy.DEFAULT.withMaxRetries(2))
            .build()) {
      assertThatThrownBy(() -> twoRetries.resolve(ref(), Platform.host()))
          .isInstanceOf(RegistryResponseException.class)
          .hasMessageContaining("HTTP 503");
    }
    assertThat(proxy.count("GET", MANIFEST_PATH)).isEqualTo(3);
    assertThat(sleeps).hasSize(2);
  }

  @Test
  void aWrongByteInABlobIsNeverReturnedAndNamesBothDigests() {
    proxy.arm(Fault.corruptBodyByte(123_456), "GET", BLOB_PATH, FaultProxy.ALWAYS);
    assertThatThrownBy(this::readBigLayer)
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("expected " + bigLayer.digest())
        .satisfies(
            e -> {
              DigestMismatchException mismatch = (DigestMismatchException) e;
              assertThat(mismatch.actual().toString()).isNotEqualTo(bigLayer.digest());
              assertThat(e.getMessage()).contains(mismatch.actual().toString());
            });
  }

  @Test
  void aWrongByteInAManifestIsRefetchedOnceThenRefused() throws Exception {
    proxy.arm(Fault.corruptBodyByte(40), "GET", MANIFEST_PATH, 1);
    assertThat(client.resolve(ref(), Platform.host()).manifestDigest()).hasToString(image.digest());

    proxy.arm(Fault.corruptBodyByte(40), "GET", MANIFEST_PATH, FaultProxy.ALWAYS);
    ImageRef pinned = ImageRef.parse(proxy.hostPort() + "/faults/image@" + image.digest());
    assertThatThrownBy(() -> client.resolve(pinned, Platform.host()))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining("expected " + image.digest());
  }

  @Test
  void aWrongByteInTheConfigIsRefused() {
    String configPath = "/v2/faults/image/blobs/" + image.image().configDigest();
    proxy.arm(Fault.corruptBodyByte(10), "GET", configPath, FaultProxy.ALWAYS);
    assertThatThrownBy(() -> client.resolve(ref(), Platform.host()))
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining(image.image().configDigest());
  }

  @Test
  void aRegistryThatIgnoresRangeStillYieldsTheRange() throws Exception {
    proxy.arm(Fault.ignoreRange(), "GET", BLOB_PATH, 1);
    try (InputStream in =
        client.openBlobRange(repo, Digest.parse(bigLayer.digest()), 400_000, 1_000)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(bigLayerBytes, 400_000, 401_000));
    }
  }

  @Test
  void rangeNotSatisfiableIsAClearError() {
    proxy.arm(Fault.rangeNotSatisfiable(), "GET", BLOB_PATH, 1);
    assertThatThrownBy(
            () -> {
              try (InputStream in =
                  client.openBlobRange(repo, Digest.parse(bigLayer.digest()), 10, 10)) {
                in.readAllBytes();
              }
            })
        .isInstanceOf(RegistryResponseException.class)
        .hasMessageContaining("range not satisfiable")
        .hasMessageContaining(String.valueOf(bigLayer.size()));
  }

  @Test
  void redirectsToStorageAreFollowedForWholeBlobsAndRanges() throws Exception {
    proxy.arm(Fault.redirectToUpstream(), "GET", BLOB_PATH, 2);
    assertThat(readBigLayer()).isEqualTo(bigLayerBytes);
    try (InputStream in = client.openBlobRange(repo, Digest.parse(bigLayer.digest()), 5, 100)) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(bigLayerBytes, 5, 105));
    }
    assertThat(proxy.faultsInjected()).isEqualTo(2);
  }

  @Test
  void anUnreachableRegistryIsRetriedThenNamed() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    ImageRef nowhere = ImageRef.parse("127.0.0.1:" + closedPort + "/x/y:1");
    assertThatThrownBy(() -> client.resolve(nowhere, Platform.host()))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("cannot reach registry 127.0.0.1:" + closedPort)
        .hasMessageContaining("after 3 retries");
    assertThat(sleeps).hasSize(3);
  }
}
