package dev.strata.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlatformTest {
  @ParameterizedTest
  @CsvSource({
    "linux/x86_64, linux/amd64",
    "linux/amd64/v1, linux/amd64",
    "linux/aarch64, linux/arm64",
    "linux/arm64/v8, linux/arm64",
    "linux/arm, linux/arm/v7",
    "linux/armhf, linux/arm/v7",
    "linux/arm/6, linux/arm/v6",
    "linux/i686, linux/386",
    "Linux/AMD64, linux/amd64",
    "windows/amd64, windows/amd64",
  })
  void normalizesLikeContainerd(String input, String normalized) {
    assertThat(Platform.parse(input)).hasToString(normalized);
  }

  @Test
  void rejectsMalformedPlatforms() {
    assertThatThrownBy(() -> Platform.parse("linux")).hasMessageContaining("OS/ARCH");
    assertThatThrownBy(() -> Platform.parse("linux//v7")).hasMessageContaining("OS/ARCH");
    assertThatThrownBy(() -> Platform.parse("a/b/c/d")).hasMessageContaining("OS/ARCH");
  }

  @Test
  void exactMatchRanksBestAndCompatibleFallbacksAfter() {
    Platform arm64 = Platform.parse("linux/arm64");
    assertThat(arm64.rank(Platform.parse("linux/arm64/v8"))).isZero();
    assertThat(arm64.rank(Platform.parse("linux/arm/v7"))).isPositive();
    assertThat(arm64.rank(Platform.parse("linux/arm/v7")))
        .isLessThan(arm64.rank(Platform.parse("linux/arm/v6")));
    assertThat(arm64.rank(Platform.parse("linux/amd64"))).isEqualTo(-1);
    assertThat(arm64.rank(Platform.parse("windows/arm64"))).isEqualTo(-1);

    Platform armv6 = Platform.parse("linux/arm/v6");
    assertThat(armv6.rank(Platform.parse("linux/arm/v7"))).isEqualTo(-1);
    assertThat(armv6.rank(Platform.parse("linux/arm/v5"))).isPositive();

    Platform amd64v3 = Platform.parse("linux/amd64/v3");
    assertThat(amd64v3.rank(Platform.parse("linux/amd64"))).isPositive();
    assertThat(Platform.parse("linux/amd64").rank(Platform.parse("linux/amd64/v3"))).isEqualTo(-1);
  }

  @Test
  void hostIsNormalized() {
    Platform host = Platform.host();
    assertThat(host.os()).isEqualTo("linux");
    assertThat(host.architecture())
        .isIn("amd64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64");
  }
}
