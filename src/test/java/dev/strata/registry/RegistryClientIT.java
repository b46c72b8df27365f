package dev.strata.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.push.ImageSource;
import dev.strata.push.PushPlan;
import dev.strata.push.Pusher;
import dev.strata.testing.BuiltLayout;
import dev.strata.testing.Fault;
import dev.strata.testing.FaultProxy;
import dev.strata.testing.OciLayouts;
import dev.strata.testing.Registries;
import dev.strata.testing.RegistryServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry client against a real anonymous registry (Debian's docker-registry). */
class RegistryClientIT {
  @TempDir static Path dir;

  static RegistryServer registry;
  static RegistryClient client;
  static BuiltLayout single;
  static BuiltLayout multi;
  static BuiltLayout multiArch;

  @BeforeAll
  static void pushImages() {
    registry = Registries.plain();
    client = RegistryClient.builder().build();
    single = OciLayouts.singleLayer(dir.resolve("single"), "1.0", 11);
    multi = OciLayouts.multiLayer(dir.resolve("multi"), "1.0", 3, 12);
    multiArch = OciLayouts.multiPlatform(dir.resolve("multiarch"), "1.0", 13);
    OciLayouts.pushWithSkopeo(single.layoutDir(), "1.0", ref("client/single:1.0"));
    OciLayouts.pushWithSkopeo(multi.layoutDir(), "1.0", ref("client/multi:1.0"));
    OciLayouts.pushWithSkopeo(multiArch.layoutDir(), "1.0", ref("client/multiarch:1.0"));
  }

  @AfterAll
  static void closeClient() {
    client.close();
  }

  static String ref(String nameAndTag) {
    return registry.hostPort() + "/" + nameAndTag;
  }

  static void assertMatches(ImageManifest resolved, BuiltLayout.Image built) {
    assertThat(resolved.manifestDigest()).hasToString(built.manifestDigest());
    assertThat(resolved.configDigest()).hasToString(built.configDigest());
    assertThat(resolved.layers()).hasSameSizeAs(built.layers());
    for (int i = 0; i < built.layers().size(); i++) {
      LayerDescriptor layer = resolved.layers().get(i);
      BuiltLayout.Layer expected = built.layers().get(i);
      assertThat(layer.index()).isEqualTo(i);
      assertThat(layer.digest()).hasToString(expected.digest());
      assertThat(layer.size()).isEqualTo(expected.size());
      assertThat(layer.diffId()).hasToString(expected.diffId());
      assertThat(layer.mediaType()).isEqualTo(MediaTypes.OCI_LAYER_GZIP);
    }
  }

  @Test
  void pingsTheApi() throws Exception {
    client.ping(registry.hostPort());
  }

  @Test
  void resolvesASingleLayerImage() throws Exception {
    ImageManifest resolved =
        client.resolve(ImageRef.parse(ref("client/single:1.0")), Platform.host());
    assertMatches(resolved, single.image());
    assertThat(resolved.indexDigest()).isNull();
    assertThat(resolved.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(resolved.platform()).hasToString("linux/amd64");
    assertThat(resolved.ref().digest()).isEqualTo(resolved.manifestDigest());
  }

  @Test
  void resolvesByDigestToo() throws Exception {
    ImageManifest resolved =
        client.resolve(ImageRef.parse(ref("client/multi@" + multi.digest())), Platform.host());
    assertMatches(resolved, multi.image());
  }

  @Test
  void resolvesAMultiLayerImageInOrder() throws Exception {
    ImageManifest resolved =
        client.resolve(ImageRef.parse(ref("client/multi:1.0")), Platform.host());
    assertThat(resolved.layers()).hasSize(3);
    assertMatches(resolved, multi.image());
  }

  @Test
  void anIndexResolvesToTheRequestedPlatform() throws Exception {
    ImageRef ref = ImageRef.parse(ref("client/multiarch:1.0"));
    for (String platform : List.of("linux/amd64", "linux/arm64/v8", "linux/arm/v7")) {
      ImageManifest resolved = client.resolve(ref, Platform.parse(platform));
      assertMatches(resolved, multiArch.image(platform));
      assertThat(resolved.indexDigest()).hasToString(multiArch.digest());
      assertThat(resolved.platform()).isEqualTo(Platform.parse(platform));
    }
    // arm/v6 is not there, but nothing older either: a clear error listing what exists.
    assertThatThrownBy(() -> client.resolve(ref, Platform.parse("linux/s390x")))
        .isInstanceOf(UnsupportedManifestException.class)
        .hasMessageContaining("no image for platform linux/s390x")
        .hasMessageContaining("linux/amd64")
        .hasMessageContaining("linux/arm64")
        .hasMessageContaining("linux/arm/v7");
  }

  @Test
  void dockerSchema2ManifestsAndManifestListsResolve() throws Exception {
    Repository repo = ImageRef.parse(ref("client/multi:1.0")).repository();
    BuiltLayout.Image image = multi.image();
    StringBuilder layers = new StringBuilder();
    for (BuiltLayout.Layer layer : image.layers()) {
      if (!layers.isEmpty()) {
        layers.append(',');
      }
      layers.append(
          """
          {"mediaType":"%s","digest":"%s","size":%d}"""
              .formatted(MediaTypes.DOCKER_LAYER_GZIP, layer.digest(), layer.size()));
    }
    byte[] manifest =
        """
        {"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","digest":"%s","size":%d},"layers":[%s]}"""
            .formatted(
                MediaTypes.DOCKER_MANIFEST,
                MediaTypes.DOCKER_CONFIG,
                image.configDigest(),
                image.configSize(),
                layers)
            .getBytes(StandardCharsets.UTF_8);
    Digest manifestDigest =
        client.putManifest(repo, "docker", MediaTypes.DOCKER_MANIFEST, manifest);
    byte[] list =
        """
        {"schemaVersion":2,"mediaType":"%s","manifests":[{"mediaType":"%s","digest":"%s","size":%d,
         "platform":{"architecture":"amd64","os":"linux"}}]}"""
            .formatted(
                MediaTypes.DOCKER_MANIFEST_LIST,
                MediaTypes.DOCKER_MANIFEST,
                manifestDigest,
                manifest.length)
            .getBytes(StandardCharsets.UTF_8);
    Digest listDigest =
        client.putManifest(repo, "dockerlist", MediaTypes.DOCKER_MANIFEST_LIST, list);

    ImageManifest direct =
        client.resolve(ImageRef.parse(ref("client/multi:docker")), Platform.parse("linux/amd64"));
    assertThat(direct.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    assertThat(direct.manifestDigest()).isEqualTo(manifestDigest);
    assertThat(direct.layers())
        .extracting(LayerDescriptor::mediaType)
        .containsOnly(MediaTypes.DOCKER_LAYER_GZIP);
    ImageManifest viaList =
        client.resolve(
            ImageRef.parse(ref("client/multi:dockerlist")), Platform.parse("linux/amd64"));
    assertThat(viaList.indexDigest()).isEqualTo(listDigest);
    assertThat(viaList.manifestDigest()).isEqualTo(manifestDigest);
    assertThat(viaList.layers())
        .extracting(l -> l.diffId().toString())
        .containsExactlyElementsOf(image.layers().stream().map(BuiltLayout.Layer::diffId).toList());
  }

  @Test
  void readsWholeBlobsVerifiedAndRangesExactly() throws Exception {
    Repository repo = ImageRef.parse(ref("client/multi:1.0")).repository();
    BuiltLayout.Layer layer = multi.image().layers().get(1);
    byte[] expected = multi.blob(layer.digest());
    try (InputStream in = client.openBlob(repo, Digest.parse(layer.digest()), layer.size())) {
      assertThat(in.readAllBytes()).isEqualTo(expected);
    }
    int offset = expected.length / 3;
    int length = 5_000;
    try (InputStream in =
        client.openBlobRange(repo, Digest.parse(layer.digest()), offset, length)) {
      assertThat(in.readAllBytes())
          .isEqualTo(Arrays.copyOfRange(expected, offset, offset + length));
    }
    // the last bytes, then a range that runs past the end
    try (InputStream in =
        client.openBlobRange(repo, Digest.parse(layer.digest()), expected.length - 10, 10)) {
      assertThat(in.readAllBytes())
          .isEqualTo(Arrays.copyOfRange(expected, expected.length - 10, expected.length));
    }
    assertThatThrownBy(
            () -> {
              try (InputStream in =
                  client.openBlobRange(
                      repo, Digest.parse(layer.digest()), expected.length + 100, 10)) {
                in.readAllBytes();
              }
            })
        .isInstanceOf(RegistryResponseException.class)
        .hasMessageContaining("range not satisfiable");
  }

  @Test
  void headTellsWhetherABlobExists() throws Exception {
    Repository repo = ImageRef.parse(ref("client/single:1.0")).repository();
    assertThat(client.blobExists(repo, Digest.parse(single.image().configDigest()))).isTrue();
    assertThat(client.blobExists(repo, Digest.sha256("absent".getBytes(StandardCharsets.UTF_8))))
        .isFalse();
  }

  @Test
  void aMissingImageIsAClearError() {
    assertThatThrownBy(
            () -> client.resolve(ImageRef.parse(ref("client/single:nope")), Platform.host()))
        .isInstanceOf(RegistryResponseException.class)
        .hasMessageContaining("client/single:nope")
        .hasMessageContaining("not found")
        .hasMessageContaining("MANIFEST_UNKNOWN");
  }

  @Test
  void listingsFollowLinkPagination() throws Exception {
    Repository repo = ImageRef.parse(ref("client/paged:1")).repository();
    byte[] manifest = single.blob(single.digest());
    Pusher pusher = new Pusher(client, 2);
    pusher.push(
        ImageSource.parse("oci:" + single.layoutDir() + ":1.0").plan(),
        ImageRef.parse(ref("client/paged:t0")),
        Pusher.Listener.NONE);
    List<String> tags = IntStream.range(0, 7).mapToObj(i -> "t" + i).toList();
    for (String tag : tags) {
      client.putManifest(repo, tag, MediaTypes.OCI_MANIFEST, manifest);
    }
    try (FaultProxy proxy = FaultProxy.inFrontOf(registry);
        RegistryClient paging = RegistryClient.builder().pageSize(2).build()) {
      Repository viaProxy = new Repository(proxy.hostPort(), repo.name());
      // registry 2.8 pages the catalog but not tags/list: serve a first page the way newer
      // registries do, whose Link leads on to the real registry's answer
      proxy.arm(
          Fault.status(
              200,
              Map.of(
                  "Content-Type", "application/json",
                  "Link", "</v2/client/paged/tags/list?last=t1&n=2>; rel=\"next\""),
              "{\"name\":\"client/paged\",\"tags\":[\"early-a\",\"early-b\"]}"),
          "GET",
          "/v2/client/paged/tags/list",
          1);
      assertThat(paging.tags(viaProxy))
          .startsWith("early-a", "early-b")
          .containsAll(tags)
          .hasSize(tags.size() + 2);
      assertThat(proxy.count("GET", "/v2/client/paged/tags/list")).isEqualTo(2);
      assertThat(proxy.requests().getLast().query()).contains("last=t1");
      assertThat(paging.catalog(proxy.hostPort()))
          .contains("client/single", "client/multi", "client/multiarch", "client/paged");
      assertThat(proxy.count("GET", "/v2/_catalog")).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void pushesAnOciLayoutThatSkopeoAndResolveAgreeOn() throws Exception {
    PushPlan plan = ImageSource.parse("oci:" + multi.layoutDir() + ":1.0").plan();
    try (FaultProxy proxy = FaultProxy.inFrontOf(registry);
        RegistryClient chunking =
            RegistryClient.builder().uploadSizes(64 * 1024, 48 * 1024).build()) {
      ImageRef dest = ImageRef.parse(proxy.hostPort() + "/push/layout:v1");
      Pusher.Result result = new Pusher(chunking, 3).push(plan, dest, Pusher.Listener.NONE);
      assertThat(result.digest()).hasToString(multi.digest());
      assertThat(result.uploaded()).isEqualTo(4); // config + 3 layers
      assertThat(proxy.count("PATCH", "/v2/push/layout/blobs/uploads/.*")).isPositive();
      assertThat(proxy.count("PUT", "/v2/push/layout/blobs/uploads/.*")).isEqualTo(4);

      Pusher.Result again = new Pusher(chunking, 3).push(plan, dest, Pusher.Listener.NONE);
      assertThat(again.uploaded()).isZero();
      assertThat(again.skipped()).isEqualTo(4);
    }
    String inspected = Skopeo.inspect(ref("push/layout:v1"));
    assertThat(inspected).contains(multi.digest());
    for (BuiltLayout.Layer layer : multi.image().layers()) {
      assertThat(inspected).contains(layer.digest());
    }
    assertMatches(
        client.resolve(ImageRef.parse(ref("push/layout:v1")), Platform.host()), multi.image());
  }

  @Test
  void pushesAMultiPlatformLayoutWithAllItsImages() throws Exception {
    PushPlan plan = ImageSource.parse("oci:" + multiArch.layoutDir()).plan();
    Pusher.Result result =
        new Pusher(client, 4)
            .push(plan, ImageRef.parse(ref("push/multiarch:v1")), Pusher.Listener.NONE);
    assertThat(result.digest()).hasToString(multiArch.digest());
    for (String platform : List.of("linux/amd64", "linux/arm64/v8", "linux/arm/v7")) {
      assertMatches(
          client.resolve(ImageRef.parse(ref("push/multiarch:v1")), Platform.parse(platform)),
          multiArch.image(platform));
    }
    assertThat(Skopeo.inspectRaw(ref("push/multiarch:v1"))).contains(OciLayouts.INDEX_MEDIA_TYPE);
  }

  @Test
  void pushesADockerArchiveThatSkopeoReads() throws Exception {
    Path archive = dir.resolve("single.tar");
    Skopeo.run(
        "copy",
        "oci:" + single.layoutDir() + ":1.0",
        "docker-archive:" + archive + ":it/single:1.0");
    PushPlan plan = ImageSource.parse("docker-archive:" + archive).plan();
    Pusher.Result result =
        new Pusher(client, 2)
            .push(plan, ImageRef.parse(ref("push/archive:v1")), Pusher.Listener.NONE);
    ImageManifest resolved =
        client.resolve(ImageRef.parse(ref("push/archive:v1")), Platform.host());
    assertThat(resolved.manifestDigest()).isEqualTo(result.digest());
    // docker save stores layers uncompressed: the layer digest is the diff ID
    assertThat(resolved.layers())
        .singleElement()
        .satisfies(
            layer -> {
              assertThat(layer.digest()).isEqualTo(layer.diffId());
              assertThat(layer.diffId()).hasToString(single.image().layers().getFirst().diffId());
              assertThat(layer.mediaType()).isEqualTo(MediaTypes.OCI_LAYER);
            });
    assertThat(Skopeo.inspect(ref("push/archive:v1"))).contains(result.digest().toString());
  }
}
