package dev.strata.mount;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.registry.Digest;
import dev.strata.registry.ImageManifest;
import dev.strata.registry.ImageRef;
import dev.strata.registry.LayerDescriptor;
import dev.strata.registry.Platform;
import dev.strata.registry.RegistryException;
import dev.strata.registry.RegistryResponseException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolvedManifestsTest {
  @TempDir Path state;

  static Digest d(String s) {
    return Digest.sha256(s.getBytes(StandardCharsets.UTF_8));
  }

  static ImageManifest manifest(ImageRef ref) {
    return new ImageManifest(
        ref.withDigest(d("m")),
        d("index"),
        d("m"),
        "application/vnd.oci.image.manifest.v1+json",
        Platform.parse("linux/arm/v7"),
        d("config"),
        List.of(
            new LayerDescriptor(
                0, "application/vnd.oci.image.layer.v1.tar+gzip", d("l0"), 10, d("t0")),
            new LayerDescriptor(
                1, "application/vnd.oci.image.layer.v1.tar", d("l1"), 20, d("t1"))));
  }

  @Test
  void aRememberedManifestComesBackEqualPerReferenceAndPlatform() {
    ResolvedManifests store = new ResolvedManifests(state);
    ImageRef ref = ImageRef.parse("registry.lan:5000/app:1.0");
    Platform arm = Platform.parse("linux/arm/v7");
    Instant when = Instant.parse("2026-11-21T10:00:00Z");
    store.remember(ref, arm, manifest(ref), when);

    ResolvedManifests.Entry found = new ResolvedManifests(state).find(ref, arm).orElseThrow();
    assertThat(found.manifest()).isEqualTo(manifest(ref));
    assertThat(found.resolvedAt()).isEqualTo(when);
    assertThat(store.find(ref, Platform.parse("linux/amd64"))).isEmpty();
    assertThat(store.find(ImageRef.parse("registry.lan:5000/app:2.0"), arm)).isEmpty();
  }

  @Test
  void aDamagedFileIsIgnored() throws Exception {
    ResolvedManifests store = new ResolvedManifests(state);
    ImageRef ref = ImageRef.parse("app:1");
    Platform p = Platform.parse("linux/amd64");
    store.remember(ref, p, manifest(ref), Instant.now());
    try (var files = Files.list(state.resolve("manifests"))) {
      Files.writeString(files.findFirst().orElseThrow(), "{\"reference\": 3");
    }
    assertThat(store.find(ref, p)).isEmpty();
  }

  @Test
  void onlyNetworkFailuresAnd5xxCountAsUnreachable() {
    assertThat(Node.unreachable(new RegistryException("x", new ConnectException("refused"))))
        .isTrue();
    assertThat(Node.unreachable(new RegistryResponseException("x", 503))).isTrue();
    assertThat(Node.unreachable(new RegistryResponseException("x", 429))).isTrue();
    assertThat(Node.unreachable(new RegistryResponseException("x", 404))).isFalse();
    assertThat(Node.unreachable(new RegistryResponseException("x", 401))).isFalse();
    assertThat(Node.unreachable(new RegistryException("digest mismatch"))).isFalse();
  }
}
