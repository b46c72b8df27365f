package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.testing.OciLayouts;
import dev.strata.testing.Registries;
import dev.strata.testing.RegistryServer;
import dev.strata.testing.SampleImages;
import dev.strata.testing.ScratchDir;
import dev.strata.testing.StrataCli;
import dev.strata.testing.StrataCli.Run;
import dev.strata.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code strata index}, {@code ls}, {@code get} and {@code history} against the real registry, for
 * a three-layer image with whiteouts, an opaque directory, hardlinks, a setuid file, a FIFO and a
 * device — stored gzip-compressed, zstd-compressed and uncompressed. {@code umoci unpack} of the
 * same image is the oracle.
 */
class ImageCommandsIT {
  static ScratchDir scratch = ScratchDir.create("strata-commands-it");
  static Path dir = scratch.path();
  static RegistryServer registry;
  static Path oracle;
  static byte[] big = new byte[5_000_000];

  @AfterAll
  static void removeScratch() throws Exception {
    scratch.close();
  }

  @BeforeAll
  static void buildAndPush() throws Exception {
    registry = Registries.plain();
    new Random(77).nextBytes(big);
    for (int i = 0; i < big.length; i += 3) {
      big[i] = 'a'; // compressible but not trivially
    }
    Path layout = SampleImages.layered(dir.resolve("layout"), big);
    OciLayouts.pushWithSkopeo(layout, "1.0", ref("gzip"));
    skopeo(
        "copy",
        "--dest-tls-verify=false",
        "--dest-compress",
        "--dest-compress-format",
        "zstd",
        "oci:" + layout + ":1.0",
        "docker://" + ref("zstd"));
    Path archive = dir.resolve("image.tar");
    skopeo("copy", "oci:" + layout + ":1.0", "docker-archive:" + archive + ":layered:1.0");
    StrataCli.run("push", "docker-archive:" + archive, ref("plain")).requireSuccess();

    oracle = dir.resolve("bundle");
    Process umoci =
        new ProcessBuilder("umoci", "unpack", "--image", layout + ":1.0", oracle.toString())
            .redirectErrorStream(true)
            .start();
    String log =
        new String(umoci.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(umoci.waitFor()).as(log).isZero();
  }

  static String ref(String flavour) {
    return registry.hostPort() + "/images/layered-" + flavour + ":1.0";
  }

  static void skopeo(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("skopeo", "--insecure-policy"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String log =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0).as(log).isTrue();
  }

  static Run strata(Path state, String... args) throws Exception {
    String[] all = new String[args.length + 2];
    all[0] = "--state-dir";
    all[1] = state.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return StrataCli.run(all);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "zstd", "plain"})
  void indexIsBuiltOnceAndGetEqualsUmociUnpack(String flavour) throws Exception {
    Path state = Files.createDirectories(dir.resolve("state-" + flavour));
    String blobs = "/v2/images/layered-" + flavour + "/blobs/sha256:.*";
    int before = registry.countRequests("GET", blobs);
    Run index = strata(state, "index", ref(flavour)).requireSuccess();
    assertThat(index.out()).contains("LAYER").doesNotContain("stored");
    int afterFirst = registry.countRequests("GET", blobs);
    assertThat(afterFirst - before).isEqualTo(4); // config + three layers, each once

    Run again = strata(state, "index", ref(flavour)).requireSuccess();
    assertThat(again.out().lines().filter(l -> l.endsWith("stored")).count()).isEqualTo(3);
    assertThat(registry.countRequests("GET", blobs)).isEqualTo(afterFirst); // no blob read at all

    Path out = dir.resolve("get-" + flavour);
    Run get = strata(state, "get", ref(flavour), "/", "-o", out.toString()).requireSuccess();
    assertThat(get.out()).contains("already complete");
    assertThat(Trees.describe(out)).isEqualTo(Trees.describe(oracle.resolve("rootfs")));

    // interrupted run: a missing file and a stale partial are redone, the rest skipped
    Files.delete(out.resolve("etc/hostname"));
    Files.delete(out.resolve("usr/bin/other"));
    Files.writeString(out.resolve("usr/bin/.other.strata-partial"), "half");
    Run resumed = strata(state, "get", ref(flavour), "/", "-o", out.toString()).requireSuccess();
    assertThat(resumed.out()).contains("2 files written");
    assertThat(Trees.describe(out)).isEqualTo(Trees.describe(oracle.resolve("rootfs")));
  }

  @Test
  void aSingleLayerImageIndexesListsAndExtracts() throws Exception {
    dev.strata.testing.BuiltLayout single =
        OciLayouts.singleLayer(dir.resolve("single-layout"), "1.0", 5);
    String image = registry.hostPort() + "/images/single:1.0";
    OciLayouts.pushWithSkopeo(single.layoutDir(), "1.0", image);
    Path state = Files.createDirectories(dir.resolve("state-single"));
    Run index = strata(state, "index", image).requireSuccess();
    assertThat(index.out().lines().count()).isEqualTo(2); // header and the one layer
    List<String> entries = single.image().layers().getFirst().entries();
    Run ls = strata(state, "ls", "-R", image).requireSuccess();
    for (String entry : entries) {
      String name = Path.of(entry).getFileName().toString();
      assertThat(ls.out()).contains(name);
    }
    Path out = dir.resolve("single-out");
    strata(state, "get", image, "/", "-o", out.toString()).requireSuccess();
    Path unpacked = dir.resolve("single-bundle");
    Process umoci =
        new ProcessBuilder(
                "umoci", "unpack", "--image", single.layoutDir() + ":1.0", unpacked.toString())
            .redirectErrorStream(true)
            .start();
    assertThat(umoci.waitFor()).isZero();
    assertThat(Trees.describe(out)).isEqualTo(Trees.describe(unpacked.resolve("rootfs")));
  }

  @Test
  void lsShowsTheMergedTreeLikeLs() throws Exception {
    Path state = Files.createDirectories(dir.resolve("state-ls"));
    Run ls = strata(state, "ls", ref("gzip")).requireSuccess();
    assertThat(ls.out().lines().toList()).containsExactly("dev", "etc", "run", "usr", "var");
    Run etc = strata(state, "ls", "-l", ref("gzip"), "/etc").requireSuccess();
    assertThat(etc.out())
        .containsPattern("-rw-r--r-- +1 +0 +0 +8 2024-03-09 \\d\\d:\\d\\d hostname");
    assertThat(etc.out()).contains("os-release");
    Run bin = strata(state, "ls", "-l", ref("gzip"), "usr/bin").requireSuccess();
    assertThat(bin.out()).containsPattern("-rwsr-xr-x +2 .* tool\n");
    assertThat(bin.out()).containsPattern("-rwsr-xr-x +2 .* tool-link\n");
    Run recursive = strata(state, "ls", "-R", ref("gzip"), "/var").requireSuccess();
    assertThat(recursive.out())
        .contains("/var/lib/app:\nnew\n")
        .doesNotContain("old")
        .doesNotContain("data");
    Run dev = strata(state, "ls", "-l", ref("gzip"), "/dev").requireSuccess();
    assertThat(dev.out()).containsPattern("crw-rw-rw- .* 1, 5 .* zero");
    Run missing = strata(state, "ls", ref("gzip"), "/nope");
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err()).contains("no such file or directory");

    Run partial =
        strata(state, "get", ref("gzip"), "/etc/*", "-o", dir.resolve("etc-only").toString())
            .requireSuccess();
    assertThat(partial.out()).contains("3 files written");
    try (Stream<Path> files = Files.walk(dir.resolve("etc-only"))) {
      assertThat(
              files
                  .filter(Files::isRegularFile)
                  .map(p -> dir.resolve("etc-only").relativize(p).toString()))
          .containsExactlyInAnyOrder("etc/hostname", "etc/labelled", "etc/os-release");
    }

    Run history =
        strata(state, "history", "--sortby", "layer_index", "--order", "asc").requireSuccess();
    assertThat(history.out())
        .contains("images")
        .contains("layered-gzip")
        .contains("Page 1 of 1 | 3 total results");
  }
}
