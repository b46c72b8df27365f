package dev.strata.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.testing.BuiltLayout;
import dev.strata.testing.OciLayouts;
import dev.strata.testing.RegistryServer;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pull-through mirrors (the configuration's {@code registries.mirrors}): tried in order before the
 * registry; one that lacks the image or is down is passed over.
 */
class RegistryMirrorIT {
  @TempDir static Path dir;
  static RegistryServer mirror;
  static RegistryServer upstream;
  static BuiltLayout image;
  static BuiltLayout upstreamOnly;

  @BeforeAll
  static void registries() {
    mirror = RegistryServer.plain();
    upstream = RegistryServer.plain();
    image = OciLayouts.singleLayer(dir.resolve("image"), "1.0", 21);
    upstreamOnly = OciLayouts.singleLayer(dir.resolve("upstream-only"), "1.0", 22);
    OciLayouts.pushWithSkopeo(image.layoutDir(), "1.0", mirror.hostPort() + "/m/image:1.0");
    OciLayouts.pushWithSkopeo(image.layoutDir(), "1.0", upstream.hostPort() + "/m/image:1.0");
    OciLayouts.pushWithSkopeo(
        upstreamOnly.layoutDir(), "1.0", upstream.hostPort() + "/m/upstream-only:1.0");
  }

  @AfterAll
  static void stop() {
    mirror.close();
    upstream.close();
  }

  static RegistryClient client(List<String> mirrors) {
    return RegistryClient.builder()
        .retryPolicy(RetryPolicy.DEFAULT.withMaxRetries(0))
        .mirrors(Map.of(upstream.hostPort(), mirrors))
        .build();
  }

  static int requests(RegistryServer registry, String repo) {
    registry.syncLog();
    return registry.countRequests("GET", "/v2/m/" + repo + "/.*");
  }

  @Test
  void anImageTheMirrorHasIsPulledFromTheMirrorOnly() throws Exception {
    int before = requests(upstream, "image");
    try (RegistryClient client = client(List.of(mirror.hostPort()))) {
      ImageManifest resolved =
          client.resolve(ImageRef.parse(upstream.hostPort() + "/m/image:1.0"), Platform.host());
      LayerDescriptor layer = resolved.layers().getFirst();
      try (InputStream blob = client.openBlob(resolved.ref().repository(), layer.digest(), -1)) {
        assertThat(blob.readAllBytes()).isEqualTo(image.blob(layer.digest().toString()));
      }
    }
    assertThat(requests(mirror, "image")).isGreaterThanOrEqualTo(3); // manifest, config, layer
    assertThat(requests(upstream, "image")).isEqualTo(before);
  }

  @Test
  void whatTheMirrorLacksComesFromTheRegistry() throws Exception {
    try (RegistryClient client = client(List.of(mirror.hostPort()))) {
      ImageManifest resolved =
          client.resolve(
              ImageRef.parse(upstream.hostPort() + "/m/upstream-only:1.0"), Platform.host());
      assertThat(resolved.manifestDigest().toString()).isEqualTo(upstreamOnly.digest());
    }
    assertThat(requests(upstream, "upstream-only")).isPositive();
  }

  @Test
  void aDeadMirrorIsPassedOver() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      deadPort = socket.getLocalPort();
    }
    try (RegistryClient client = client(List.of("127.0.0.1:" + deadPort, mirror.hostPort()))) {
      ImageManifest resolved =
          client.resolve(ImageRef.parse(upstream.hostPort() + "/m/image:1.0"), Platform.host());
      assertThat(resolved.manifestDigest().toString()).isEqualTo(image.digest());
    }
  }
}
