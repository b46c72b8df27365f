package dev.strata.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResumingInputStreamTest {
  private final byte[] blob = new byte[10_000];

  {
    new java.util.Random(7).nextBytes(blob);
  }

  /** Serves the blob from a position, breaking each connection after {@code breakAfter} bytes. */
  private InputStream breaking(long position, int breakAfter, boolean reset) {
    int from = (int) position;
    int to = Math.min(blob.length, from + breakAfter);
    InputStream part = new ByteArrayInputStream(Arrays.copyOfRange(blob, from, to));
    if (!reset) {
      return part; // ends early, like a truncated body
    }
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = part.read(b, off, len);
        if (n < 0 && to < blob.length) {
          throw new IOException("connection reset");
        }
        return n;
      }
    };
  }

  @Test
  void resumesFromTheLastByteAfterResetsAndTruncation() throws Exception {
    for (boolean reset : new boolean[] {true, false}) {
      List<Long> opened = new ArrayList<>();
      try (InputStream in =
          new ResumingInputStream(
              position -> {
                opened.add(position);
                return breaking(position, 4_000, reset);
              },
              0,
              blob.length,
              3,
              "blob")) {
        assertThat(in.readAllBytes()).isEqualTo(blob);
      }
      assertThat(opened).containsExactly(0L, 4_000L, 8_000L);
    }
  }

  @Test
  void readsARangeExactly() throws Exception {
    try (InputStream in =
        new ResumingInputStream(
            position -> breaking(position, 100, true), 1_000, 1_250, 5, "range")) {
      assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(blob, 1_000, 1_250));
    }
  }

  @Test
  void givesUpAfterTheResumeLimit() {
    InputStream in =
        new ResumingInputStream(
            position -> breaking(position, 1_000, true), 0, blob.length, 2, "blob x");
    assertThatThrownBy(in::readAllBytes)
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("blob x")
        .hasMessageContaining("after 2 resumes");
  }

  @Test
  void doesNotResumeWhatTheRegistryRefused() {
    int[] opens = {0};
    InputStream in =
        new ResumingInputStream(
            position -> {
              opens[0]++;
              throw new RegistryResponseException("gone", 404);
            },
            0,
            blob.length,
            3,
            "blob");
    assertThatThrownBy(in::readAllBytes).isInstanceOf(RegistryResponseException.class);
    assertThat(opens[0]).isEqualTo(1);
  }
}
