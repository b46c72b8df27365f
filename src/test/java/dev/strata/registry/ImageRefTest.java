package dev.strata.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageRefTest {
  private static final String HEX = "a".repeat(64);

  @ParameterizedTest
  @CsvSource({
    "alpine, docker.io, library/alpine, latest, docker.io/library/alpine:latest",
    "alpine:3.20, docker.io, library/alpine, 3.20, docker.io/library/alpine:3.20",
    "user/app, docker.io, user/app, latest, docker.io/user/app:latest",
    "docker.io/alpine, docker.io, library/alpine, latest, docker.io/library/alpine:latest",
    "index.docker.io/library/alpine:edge, docker.io, library/alpine, edge, docker.io/library/alpine:edge",
    "localhost/app, localhost, app, latest, localhost/app:latest",
    "localhost:5000/a/b/c:v1, localhost:5000, a/b/c, v1, localhost:5000/a/b/c:v1",
    "127.0.0.1:5000/app:1.0, 127.0.0.1:5000, app, 1.0, 127.0.0.1:5000/app:1.0",
    "ghcr.io/org/tool:V_1.2-rc, ghcr.io, org/tool, V_1.2-rc, ghcr.io/org/tool:V_1.2-rc",
    "[::1]:5000/app:x, [::1]:5000, app, x, [::1]:5000/app:x",
    "my-registry.example.com:443/a__b/c.d-e:t, my-registry.example.com:443, a__b/c.d-e, t, my-registry.example.com:443/a__b/c.d-e:t",
  })
  void normalizesLikeDocker(
      String input, String registry, String name, String tag, String canonical) {
    ImageRef ref = ImageRef.parse(input);
    assertThat(ref.repository().registry()).isEqualTo(registry);
    assertThat(ref.repository().name()).isEqualTo(name);
    assertThat(ref.tag()).isEqualTo(tag);
    assertThat(ref.digest()).isNull();
    assertThat(ref).hasToString(canonical);
    assertThat(ImageRef.parse(canonical)).isEqualTo(ref);
  }

  @ParameterizedTest
  @ValueSource(strings = {"app@sha256:", "localhost:5000/app@sha256:"})
  void digestWithoutTagHasNoTag(String prefix) {
    ImageRef ref = ImageRef.parse(prefix + HEX);
    assertThat(ref.tag()).isNull();
    assertThat(ref.digest()).isEqualTo(new Digest("sha256", HEX));
    assertThat(ref.manifestReference()).isEqualTo("sha256:" + HEX);
  }

  @ParameterizedTest
  @ValueSource(strings = {"app:1.0@sha256:", "localhost:5000/app:1.0@sha256:"})
  void digestAndTagKeepsBothAndFetchesByDigest(String prefix) {
    ImageRef ref = ImageRef.parse(prefix + HEX);
    assertThat(ref.tag()).isEqualTo("1.0");
    assertThat(ref.manifestReference()).isEqualTo("sha256:" + HEX);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''| empty reference",
        "' alpine'| whitespace",
        "Alpine| lowercase",
        "localhost:5000/App| lowercase",
        "app:| malformed tag",
        "app:-bad| malformed tag",
        "app:" + "t" + "| ok",
        "a//b| empty path component",
        "app/| empty path component",
        "app@sha256:abc| malformed sha256 digest",
        "app@md5:" + "aa| unsupported digest algorithm",
        "a/-b| malformed path component",
        "bad_host:5000:x/app| malformed",
      })
  void rejectsMalformedReferencesClearly(String input, String why) {
    if (why.strip().equals("ok")) {
      assertThat(ImageRef.parse(input)).isNotNull();
      return;
    }
    assertThatThrownBy(() -> ImageRef.parse(input))
        .isInstanceOf(InvalidReferenceException.class)
        .hasMessageContaining("invalid image reference")
        .hasMessageContaining(why.strip());
  }

  @org.junit.jupiter.api.Test
  void rejectsOverlongNames() {
    String longName = "a".repeat(256);
    assertThatThrownBy(() -> ImageRef.parse(longName))
        .hasMessageContaining("longer than 255 characters");
  }

  @org.junit.jupiter.api.Test
  void repositoriesTakeNoTagOrDigest() {
    assertThat(ImageRef.parseRepository("localhost:5000/a/b"))
        .isEqualTo(new Repository("localhost:5000", "a/b"));
    assertThat(ImageRef.parseRepository("busybox"))
        .isEqualTo(new Repository("docker.io", "library/busybox"));
    assertThatThrownBy(() -> ImageRef.parseRepository("a/b:tag")).hasMessageContaining("no tag");
    assertThatThrownBy(() -> ImageRef.parseRepository("a@sha256:" + HEX))
        .hasMessageContaining("no digest");
  }

  @org.junit.jupiter.api.Test
  void ownerIsTheNamespace() {
    Repository repo = ImageRef.parse("ghcr.io/org/team/tool").repository();
    assertThat(repo.owner()).isEqualTo("org/team");
    assertThat(repo.shortName()).isEqualTo("tool");
    assertThat(ImageRef.parse("alpine").repository().owner()).isEqualTo("library");
  }
}
