package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizeConverterTest {
  private final ByteSizeConverter converter = new ByteSizeConverter();

  @Test
  void plainNumbersAndBinarySuffixes() {
    assertThat(converter.convert("1048576")).isEqualTo(1L << 20);
    assertThat(converter.convert("512M")).isEqualTo(512L << 20);
    assertThat(converter.convert("50G")).isEqualTo(50L << 30);
    assertThat(converter.convert("2TiB")).isEqualTo(2L << 40);
    assertThat(converter.convert("64k")).isEqualTo(64L << 10);
    assertThat(converter.convert("0")).isZero();
  }

  @Test
  void nonsenseIsRefused() {
    for (String bad : new String[] {"", "-1", "1.5G", "12X", "G", "99999999999T"}) {
      assertThatThrownBy(() -> converter.convert(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
