package dev.strata.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizeTest {
  @Test
  void parsesBytesAndUnits() {
    assertThat(ByteSize.parse("10737418240")).isEqualTo(10L << 30);
    assertThat(ByteSize.parse("10GiB")).isEqualTo(10L << 30);
    assertThat(ByteSize.parse("512 MiB")).isEqualTo(512L << 20);
    assertThat(ByteSize.parse("512m")).isEqualTo(512L << 20);
    assertThat(ByteSize.parse("1.5GiB")).isEqualTo(3L << 29);
    assertThat(ByteSize.parse("2GB")).isEqualTo(2_000_000_000L);
    assertThat(ByteSize.parse("4kB")).isEqualTo(4000);
    assertThat(ByteSize.parse("1TiB")).isEqualTo(1L << 40);
    assertThat(ByteSize.parse("7B")).isEqualTo(7);
  }

  @Test
  void refusesWhatIsNotAPositiveSize() {
    assertThatThrownBy(() -> ByteSize.parse("ten")).hasMessageContaining("is not a size");
    assertThatThrownBy(() -> ByteSize.parse("5 parsecs")).hasMessageContaining("is not a size");
    assertThatThrownBy(() -> ByteSize.parse("-1")).hasMessageContaining("is not a size");
    assertThatThrownBy(() -> ByteSize.parse("0GiB")).hasMessageContaining("above 0");
    assertThatThrownBy(() -> ByteSize.parse("99999999999TiB")).hasMessageContaining("too large");
  }
}
