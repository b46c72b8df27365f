package dev.strata.history;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HumanSizeTest {
  @Test
  void decimalUnitsWithOneDecimal() {
    assertThat(HumanSize.format(0)).isEqualTo("0 B");
    assertThat(HumanSize.format(93)).isEqualTo("93 B");
    assertThat(HumanSize.format(999)).isEqualTo("999 B");
    assertThat(HumanSize.format(1000)).isEqualTo("1.0 kB");
    assertThat(HumanSize.format(31_700_000)).isEqualTo("31.7 MB");
    assertThat(HumanSize.format(999_949)).isEqualTo("999.9 kB");
    assertThat(HumanSize.format(999_950)).isEqualTo("1.0 MB");
    assertThat(HumanSize.format(Long.MAX_VALUE)).isEqualTo("9.2 EB");
  }
}
