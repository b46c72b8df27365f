package dev.strata.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void singleLayerIsAConsistentLayout() throws IOException {
    BuiltLayout built = OciLayouts.singleLayer(tmp, "v1");

    assertThat(built.isIndex()).isFalse();
    assertThat(built.mediaType()).isEqualTo(OciLayouts.MANIFEST_MEDIA_TYPE);
    assertThat(Files.readString(tmp.resolve("oci-layout"))).contains("\"1.0.0\"");
    JsonNode index = JSON.readTree(tmp.resolve("index.json").toFile());
    assertThat(index.path("manifests")).hasSize(1);
    JsonNode entry = index.path("manifests").get(0);
    assertThat(entry.path("digest").asText()).isEqualTo(built.digest());
    assertThat(entry.path("size").asLong()).isEqualTo(built.size());
    assertThat(entry.path("annotations").path(OciLayouts.REF_NAME_ANNOTATION).asText())
        .isEqualTo("v1");

    assertManifestConsistent(built, built.image(), "linux", "amd64", null);
    assertThat(built.image().layers().get(0).entries())
        .containsExactly(
            "etc/",
            "etc/strata/",
            "etc/strata/image.txt",
            "data/",
            "data/layer-0.bin",
            "data/first");
  }

  @Test
  void multiLayerHasDistinctLayersAndCorrectDiffIds() throws IOException {
    BuiltLayout built = OciLayouts.multiLayer(tmp, "three", 3);

    BuiltLayout.Image image = built.image();
    assertThat(image.layers()).hasSize(3);
    assertThat(image.layers().stream().map(BuiltLayout.Layer::digest).distinct()).hasSize(3);
    assertManifestConsistent(built, image, "linux", "amd64", null);
    // the top layer's image.txt names layer 2
    byte[] top = built.blob(image.layers().get(2).digest());
    assertThat(new String(tarEntry(top, "etc/strata/image.txt"), StandardCharsets.UTF_8))
        .contains("layer=2")
        .contains("tag=three");
  }

  @Test
  void multiPlatformIndexListsThreePlatformsWithDifferentContent() throws IOException {
    BuiltLayout built = OciLayouts.multiPlatform(tmp, "multi");

    assertThat(built.isIndex()).isTrue();
    JsonNode idx = JSON.readTree(built.blob(built.digest()));
    assertThat(idx.path("mediaType").asText()).isEqualTo(OciLayouts.INDEX_MEDIA_TYPE);
    List<String> platforms = new ArrayList<>();
    for (JsonNode m : idx.path("manifests")) {
      JsonNode p = m.path("platform");
      platforms.add(
          p.path("os").asText()
              + "/"
              + p.path("architecture").asText()
              + (p.has("variant") ? "/" + p.path("variant").asText() : ""));
    }
    assertThat(platforms).containsExactly("linux/amd64", "linux/arm64/v8", "linux/arm/v7");
    assertThat(built.images().stream().map(BuiltLayout.Image::manifestDigest).distinct())
        .hasSize(3);
    assertThat(built.images().stream().map(i -> i.layers().get(0).digest()).distinct().toList())
        .hasSize(3);
    assertManifestConsistent(built, built.image("linux/arm/v7"), "linux", "arm", "v7");
    assertManifestConsistent(built, built.image("linux/arm64/v8"), "linux", "arm64", "v8");
  }

  @Test
  void contentIsDeterministicAndDependsOnTagAndSeed() {
    BuiltLayout a = OciLayouts.singleLayer(tmp.resolve("a"), "t", 7);
    BuiltLayout b = OciLayouts.singleLayer(tmp.resolve("b"), "t", 7);
    BuiltLayout otherSeed = OciLayouts.singleLayer(tmp.resolve("c"), "t", 8);
    BuiltLayout otherTag = OciLayouts.singleLayer(tmp.resolve("d"), "u", 7);

    assertThat(b.digest()).isEqualTo(a.digest());
    assertThat(b.image().layers()).isEqualTo(a.image().layers().stream().toList());
    Set<String> digests = new HashSet<>(List.of(a.digest(), otherSeed.digest(), otherTag.digest()));
    assertThat(digests).hasSize(3);
  }

  @Test
  void secondTagInSameLayoutIsAddedToIndexJson() throws IOException {
    OciLayouts.singleLayer(tmp, "one");
    OciLayouts.multiPlatform(tmp, "two");
    OciLayouts.singleLayer(tmp, "one", 99); // replaces "one"

    JsonNode index = JSON.readTree(tmp.resolve("index.json").toFile());
    List<String> names = new ArrayList<>();
    for (JsonNode m : index.path("manifests")) {
      names.add(m.path("annotations").path(OciLayouts.REF_NAME_ANNOTATION).asText());
    }
    assertThat(names).containsExactly("two", "one");
  }

  private static void assertManifestConsistent(
      BuiltLayout built, BuiltLayout.Image image, String os, String arch, String variant)
      throws IOException {
    byte[] manifestBytes = built.blob(image.manifestDigest());
    assertThat(OciLayouts.sha256(manifestBytes)).isEqualTo(image.manifestDigest());
    assertThat((long) manifestBytes.length).isEqualTo(image.manifestSize());
    JsonNode manifest = JSON.readTree(manifestBytes);
    assertThat(manifest.path("mediaType").asText()).isEqualTo(OciLayouts.MANIFEST_MEDIA_TYPE);
    assertThat(manifest.path("config").path("digest").asText()).isEqualTo(image.configDigest());

    JsonNode config = JSON.readTree(built.blob(image.configDigest()));
    assertThat(config.path("os").asText()).isEqualTo(os);
    assertThat(config.path("architecture").asText()).isEqualTo(arch);
    if (variant == null) {
      assertThat(config.has("variant")).isFalse();
    } else {
      assertThat(config.path("variant").asText()).isEqualTo(variant);
    }
    JsonNode diffIds = config.path("rootfs").path("diff_ids");
    JsonNode layers = manifest.path("layers");
    assertThat(layers).hasSize(image.layers().size());
    assertThat(diffIds).hasSize(image.layers().size());
    for (int i = 0; i < layers.size(); i++) {
      BuiltLayout.Layer layer = image.layers().get(i);
      byte[] blob = built.blob(layer.digest());
      assertThat(layers.get(i).path("mediaType").asText()).isEqualTo(OciLayouts.LAYER_MEDIA_TYPE);
      assertThat(layers.get(i).path("digest").asText()).isEqualTo(layer.digest());
      assertThat(layers.get(i).path("size").asLong()).isEqualTo(blob.length);
      assertThat(OciLayouts.sha256(blob)).isEqualTo(layer.digest());
      byte[] tar;
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(blob))) {
        tar = in.readAllBytes();
      }
      assertThat(OciLayouts.sha256(tar)).isEqualTo(layer.diffId());
      assertThat(diffIds.get(i).asText()).isEqualTo(layer.diffId());
    }
  }

  private static byte[] tarEntry(byte[] gzipTar, String name) throws IOException {
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new GZIPInputStream(new ByteArrayInputStream(gzipTar)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.getName().equals(name)) {
          return tar.readAllBytes();
        }
      }
    }
    throw new AssertionError("no entry " + name);
  }
}
