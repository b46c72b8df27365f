package dev.strata.registry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ManifestDocumentTest {
  private static final String D1 = "sha256:" + "1".repeat(64);
  private static final String D2 = "sha256:" + "2".repeat(64);

  @Test
  void parsesADockerManifestListWithPlatforms() throws Exception {
    String json =
        """
        {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
         "manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":10,
           "platform":{"architecture":"arm","os":"linux","variant":"v7"}}]}
        """
            .formatted(D1);
    ManifestDocument doc = ManifestDocument.parse(json.getBytes(UTF_8), null, "m");
    assertThat(doc).isInstanceOf(ManifestDocument.Index.class);
    Descriptor entry = ((ManifestDocument.Index) doc).manifests().getFirst();
    assertThat(entry.platform()).isEqualTo(Platform.parse("linux/arm/v7"));
    assertThat(entry.digest()).hasToString(D1);
  }

  @Test
  void takesTheMediaTypeFromContentTypeWhenTheDocumentHasNone() throws Exception {
    String json =
        """
        {"schemaVersion":2,"config":{"mediaType":"x","digest":"%s","size":5},
         "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"%s","size":7}]}
        """
            .formatted(D1, D2);
    ManifestDocument doc =
        ManifestDocument.parse(
            json.getBytes(UTF_8), MediaTypes.DOCKER_MANIFEST + "; charset=utf-8", "m");
    assertThat(doc.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
    ManifestDocument.Image image = (ManifestDocument.Image) doc;
    assertThat(image.layers()).singleElement().extracting(Descriptor::size).isEqualTo(7L);
  }

  @Test
  void rejectsSchema1WithAClearMessage() {
    String json = "{\"schemaVersion\":1,\"name\":\"a\",\"tag\":\"b\",\"fsLayers\":[]}";
    assertThatThrownBy(() -> ManifestDocument.parse(json.getBytes(UTF_8), null, "manifest x"))
        .isInstanceOf(UnsupportedManifestException.class)
        .hasMessageContaining("schema 1")
        .hasMessageContaining("manifest x");
  }

  @Test
  void rejectsGarbageAndUnknownTypes() {
    assertThatThrownBy(() -> ManifestDocument.parse("nope".getBytes(UTF_8), null, "m"))
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(
            () ->
                ManifestDocument.parse(
                    "{\"mediaType\":\"application/x-unknown\"}".getBytes(UTF_8), null, "m"))
        .hasMessageContaining("unsupported manifest media type 'application/x-unknown'");
    assertThatThrownBy(
            () ->
                ManifestDocument.parse(
                    "{\"config\":{\"digest\":\"sha256:zz\",\"size\":1},\"layers\":[]}"
                        .getBytes(UTF_8),
                    null,
                    "m"))
        .isInstanceOf(UnsupportedManifestException.class);
  }

  @Test
  void configNeedsDiffIds() throws Exception {
    assertThatThrownBy(() -> ImageConfig.parse("{}".getBytes(UTF_8), "cfg"))
        .hasMessageContaining("rootfs.diff_ids");
    ImageConfig config =
        ImageConfig.parse(
            ("{\"architecture\":\"arm64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                    + D1
                    + "\"]}}")
                .getBytes(UTF_8),
            "cfg");
    assertThat(config.platform()).hasToString("linux/arm64");
    assertThat(config.diffIds()).containsExactly(Digest.parse(D1));
  }
}
