package dev.strata.index.gzip;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.index.gzip.GzipFixtures.Header;
import java.util.zip.Deflater;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

class GzipHeaderTest {
  private static final byte[] DATA = "some data".getBytes(US_ASCII);

  @Test
  void everyFlagCombinationInOneGoAndByteByByte() throws ZipException {
    for (int flags = 0; flags < 16; flags++) {
      Header h =
          new Header(
              (flags & 1) != 0 ? new byte[] {'A', 'B', 3, 0, 1, 2, 3} : null,
              (flags & 2) != 0 ? "name.tar" : null,
              (flags & 4) != 0 ? "a comment" : null,
              (flags & 8) != 0);
      byte[] member = GzipFixtures.member(DATA, h, 6, Deflater.NO_FLUSH, 0);
      int expected = GzipIndexTest.headerLength(member, 0);

      GzipHeader whole = new GzipHeader();
      assertThat(whole.feed(member, 0, member.length)).isEqualTo(expected);
      assertThat(whole.isDone()).isTrue();

      GzipHeader pieces = new GzipHeader();
      int consumed = 0;
      while (!pieces.isDone()) {
        consumed += pieces.feed(member, consumed, 1);
      }
      assertThat(consumed).as("flags %d", flags).isEqualTo(expected);

      whole.reset();
      assertThat(whole.isDone()).isFalse();
      assertThat(whole.feed(member, 0, member.length)).isEqualTo(expected);
    }
  }

  @Test
  void emptyExtraFieldAndNameAreFine() throws ZipException {
    byte[] member =
        GzipFixtures.member(DATA, new Header(new byte[0], "", "", true), 6, Deflater.NO_FLUSH, 0);
    assertThat(new GzipHeader().feed(member, 0, member.length)).isEqualTo(10 + 2 + 1 + 1 + 2);
  }

  @Test
  void rejectsWhatZlibRejects() {
    byte[] member =
        GzipFixtures.member(DATA, new Header(null, "n", null, true), 6, Deflater.NO_FLUSH, 0);
    byte[] badCrc = member.clone();
    badCrc[10] = 'm'; // the name changes, the header CRC does not
    assertThatThrownBy(() -> new GzipHeader().feed(badCrc, 0, badCrc.length))
        .isInstanceOf(ZipException.class)
        .hasMessageContaining("header crc mismatch");
    byte[] reserved = member.clone();
    reserved[3] |= 0x20;
    assertThatThrownBy(() -> new GzipHeader().feed(reserved, 0, reserved.length))
        .hasMessageContaining("unknown header flags");
    byte[] method = member.clone();
    method[2] = 9;
    assertThatThrownBy(() -> new GzipHeader().feed(method, 0, method.length))
        .hasMessageContaining("unknown compression method");
    byte[] magic = member.clone();
    magic[1] = 0;
    assertThatThrownBy(() -> new GzipHeader().feed(magic, 0, magic.length))
        .hasMessageContaining("incorrect header check");
  }
}
