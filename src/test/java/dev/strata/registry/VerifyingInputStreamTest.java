package dev.strata.registry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class VerifyingInputStreamTest {
  private final byte[] content = "hello, layer".getBytes(UTF_8);

  @Test
  void passesMatchingContent() throws Exception {
    try (InputStream in =
        new VerifyingInputStream(
            new ByteArrayInputStream(content), Digest.sha256(content), content.length, "x")) {
      assertThat(in.readAllBytes()).isEqualTo(content);
    }
  }

  @Test
  void failsAtEndOfStreamNamingBothDigests() {
    byte[] tampered = content.clone();
    tampered[3] ^= 1;
    Digest expected = Digest.sha256(content);
    InputStream in =
        new VerifyingInputStream(new ByteArrayInputStream(tampered), expected, -1, "blob x");
    assertThatThrownBy(in::readAllBytes)
        .isInstanceOf(DigestMismatchException.class)
        .hasMessageContaining(expected.toString())
        .hasMessageContaining(Digest.sha256(tampered).toString())
        .hasMessageContaining("blob x");
  }

  @Test
  void failsOnWrongSize() {
    InputStream longer =
        new VerifyingInputStream(
            new ByteArrayInputStream(content), Digest.sha256(content), content.length - 1, "x");
    assertThatThrownBy(longer::readAllBytes).hasMessageContaining("more than the expected");
  }

  @Test
  void skippedBytesAreHashedToo() throws Exception {
    try (InputStream in =
        new VerifyingInputStream(
            new ByteArrayInputStream(content), Digest.sha256(content), content.length, "x")) {
      assertThat(in.skip(5)).isEqualTo(5);
      assertThat(in.readAllBytes()).hasSize(content.length - 5);
    }
  }

  @Test
  void digestsParseAndValidate() {
    assertThat(Digest.parse("sha256:" + "ab".repeat(32)).shortHex()).isEqualTo("abababababab");
    assertThatThrownBy(() -> Digest.parse("sha256:ABC")).hasMessageContaining("lowercase hex");
    assertThatThrownBy(() -> Digest.parse("nocolon")).hasMessageContaining("expected sha256:<hex>");
  }
}
