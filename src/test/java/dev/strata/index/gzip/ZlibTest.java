package dev.strata.index.gzip;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.lang.foreign.MemoryLayout.PathElement;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ZlibTest {
  @Test
  void loadsTheSystemZlib() {
    assertThat(Zlib.isAvailable()).isTrue();
    assertThat(Zlib.zlibVersion()).matches("1\\.\\d+(\\.\\d+)*.*");
  }

  @Test
  void zStreamHasTheLp64Layout() {
    assertThat(Zlib.Z_STREAM.byteSize()).isEqualTo(112);
    assertThat(offset("avail_in")).isEqualTo(8);
    assertThat(offset("total_in")).isEqualTo(16);
    assertThat(offset("next_out")).isEqualTo(24);
    assertThat(offset("total_out")).isEqualTo(40);
    assertThat(offset("msg")).isEqualTo(48);
    assertThat(offset("data_type")).isEqualTo(88);
    assertThat(offset("adler")).isEqualTo(96);
  }

  @Test
  void aMissingLibraryIsAClearError() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dstrata.zlib.library=libz-that-is-not-there.so.1",
                "-cp",
                System.getProperty("java.class.path"),
                MissingZlib.class.getName())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    assertThat(p.waitFor()).isZero();
    assertThat(out)
        .contains("available=false")
        .contains("IllegalStateException")
        .contains("libz-that-is-not-there.so.1")
        .contains("zlib1g");
  }

  /** Runs in a JVM told to load a library that does not exist. */
  static final class MissingZlib {
    private MissingZlib() {}

    public static void main(String[] args) {
      System.out.println("available=" + Zlib.isAvailable());
      try {
        GzipCheckpointer.run(
            new ByteArrayInputStream(new byte[] {0x1f, (byte) 0x8b}),
            1,
            new GzipCheckpointer.Sink() {
              @Override
              public void data(byte[] buf, int off, int len) {}

              @Override
              public void checkpoint(dev.strata.index.Checkpoint cp) {}
            });
      } catch (IllegalStateException | java.io.IOException e) {
        System.out.println(e);
      }
    }
  }

  private static long offset(String field) {
    return Zlib.Z_STREAM.byteOffset(PathElement.groupElement(field));
  }
}
