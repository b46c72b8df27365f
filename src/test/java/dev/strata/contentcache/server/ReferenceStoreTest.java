package dev.strata.contentcache.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.registry.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceStoreTest {
  private static final String NAME = "layer-index/sha256:" + "ab".repeat(32) + "/1";

  @TempDir Path dir;

  private static Digest hash(String text) {
    return Digest.sha256(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void aReferenceReadsBackAndSurvivesAReopen() throws Exception {
    ReferenceStore refs = ReferenceStore.open(dir);
    refs.put(NAME, hash("index"));

    assertThat(refs.get(NAME)).contains(hash("index"));
    assertThat(ReferenceStore.open(dir).get(NAME)).contains(hash("index"));
  }

  @Test
  void aPutReplacesTheOldTarget() throws Exception {
    ReferenceStore refs = ReferenceStore.open(dir);
    refs.put(NAME, hash("old"));
    refs.put(NAME, hash("new"));
    assertThat(refs.get(NAME)).contains(hash("new"));
    try (Stream<Path> files = Files.list(dir.resolve("refs"))) {
      assertThat(files).hasSize(1);
    }
  }

  @Test
  void anUnknownNameIsEmpty() throws Exception {
    assertThat(ReferenceStore.open(dir).get("layer-index/nothing/1")).isEmpty();
  }

  @Test
  void namesNeverBecomePaths() throws Exception {
    ReferenceStore.open(dir).put(NAME, hash("x"));
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.map(p -> dir.relativize(p).toString()))
          .noneMatch(p -> p.contains("layer-index"));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/etc/passwd",
        "a/../../b",
        "..",
        "a//b",
        "a/./b",
        "a b",
        "a\\b",
        "tab\there",
        "é"
      })
  void malformedNamesAreRefused(String name) throws Exception {
    ReferenceStore refs = ReferenceStore.open(dir);
    assertThatThrownBy(() -> refs.put(name, hash("x")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> refs.get(name)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void overlongNamesAreRefused() throws Exception {
    ReferenceStore refs = ReferenceStore.open(dir);
    assertThatThrownBy(() -> refs.put("a".repeat(Names.MAX_NAME_LENGTH + 1), hash("x")))
        .isInstanceOf(IllegalArgumentException.class);
    refs.put("a".repeat(Names.MAX_NAME_LENGTH), hash("x"));
  }

  @Test
  void interruptedWritesAreCleanedOnOpen() throws Exception {
    Files.createDirectories(dir.resolve("refs"));
    Files.writeString(dir.resolve("refs/.tmp-123"), "half");
    ReferenceStore.open(dir);
    assertThat(dir.resolve("refs/.tmp-123")).doesNotExist();
  }
}
