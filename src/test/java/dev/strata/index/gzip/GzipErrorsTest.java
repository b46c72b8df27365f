package dev.strata.index.gzip;

import static dev.strata.index.gzip.GzipIndexTest.assertSameBytes;
import static dev.strata.index.gzip.GzipIndexTest.index;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.index.Checkpoint;
import dev.strata.index.gzip.GzipFixtures.Fixture;
import dev.strata.index.gzip.GzipIndexTest.Indexed;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.ZipException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input is an exception naming what went wrong, never silently wrong output. */
class GzipErrorsTest {
  static final long SPAN = 64 * 1024;

  @TempDir static Path dir;

  /** Two members: gzip -6 then gzip -1. */
  private static Fixture two;

  private static int firstMemberLength;

  @BeforeAll
  static void makeFixtures() {
    byte[] a = GzipFixtures.tarLike(21, 400_000);
    byte[] b = GzipFixtures.tarLike(22, 200_000);
    Fixture fa = GzipFixtures.single("a", GzipFixtures.run(dir, a, "gzip", "-c", "-6"), a);
    Fixture fb = GzipFixtures.single("b", GzipFixtures.run(dir, b, "gzip", "-c", "-1"), b);
    two = GzipFixtures.concat("two members", List.of(fa, fb));
    firstMemberLength = fa.blob().length;
  }

  @Test
  void emptyInputIsTruncated() {
    assertThatThrownBy(() -> index(new byte[0], SPAN))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> index(new byte[] {0x1f}, SPAN))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("truncated");
  }

  @Test
  void somethingElseIsNotGzip() {
    assertThatThrownBy(() -> index("not gzip at all".getBytes(US_ASCII), SPAN))
        .isInstanceOf(ZipException.class)
        .hasMessageContaining("not a gzip stream");
    byte[] badMethod = two.blob().clone();
    badMethod[2] = 7;
    assertThatThrownBy(() -> index(badMethod, SPAN))
        .isInstanceOf(ZipException.class)
        .hasMessageContaining("unknown compression method");
  }

  @Test
  void truncationAnywhereInsideAMemberIsReported() throws IOException {
    byte[] blob = two.blob();
    List<Integer> cuts = new ArrayList<>(List.of(1, 2, 5, 9, 10, 11, 100));
    for (int back = 1; back <= 9; back++) {
      cuts.add(firstMemberLength - back);
      cuts.add(blob.length - back);
    }
    cuts.add(firstMemberLength + 1);
    cuts.add(firstMemberLength + 5);
    Random r = new Random(1);
    for (int i = 0; i < 40; i++) {
      cuts.add(1 + r.nextInt(blob.length - 1));
    }
    for (int cut : cuts) {
      if (cut == firstMemberLength) {
        continue; // a complete first member alone is a valid stream
      }
      if (cut == firstMemberLength + 1) {
        // Half a magic number after a complete member is trailing garbage, as for gzip -d.
        assertThat(index(Arrays.copyOf(blob, cut), SPAN).trailing())
            .containsExactly(new long[] {firstMemberLength, 1, 0});
        continue;
      }
      byte[] truncated = Arrays.copyOf(blob, cut);
      assertThatThrownBy(() -> index(truncated, SPAN))
          .as("cut at %d", cut)
          .isInstanceOf(EOFException.class)
          .hasMessageContaining("truncated");
    }
  }

  @Test
  void corruptionNeverGivesWrongDataSilently() {
    byte[] blob = two.blob();
    Random r = new Random(2);
    int thrown = 0;
    int trials = 300;
    for (int i = 0; i < trials; i++) {
      byte[] bad = blob.clone();
      int at = r.nextInt(bad.length);
      bad[at] ^= (byte) (1 + r.nextInt(255));
      try {
        Indexed ix = index(bad, SPAN);
        if (!ix.trailing().isEmpty()) {
          // A broken magic makes the second member "trailing garbage": gzip -d warns, and so
          // does trailingData (an indexer should treat non-zero trailing data as an error).
          thrown++;
          continue;
        }
        // Only bytes that do not carry data may change unnoticed (mtime, XFL, OS, ...).
        assertSameBytes(ix.data(), two.data(), "undetected corruption at " + at);
      } catch (IOException e) {
        thrown++;
        assertThat(e).isInstanceOfAny(ZipException.class, EOFException.class);
        assertThat(e.getMessage()).contains("offset");
      }
    }
    assertThat(thrown).isGreaterThan(trials * 9 / 10);
  }

  @Test
  void trailerMismatchesAreCorruption() {
    byte[] crc = two.blob().clone();
    crc[firstMemberLength - 8] ^= 1;
    assertThatThrownBy(() -> index(crc, SPAN))
        .isInstanceOf(ZipException.class)
        .hasMessageContaining("incorrect data check");
    byte[] size = two.blob().clone();
    size[size.length - 1] ^= 1;
    assertThatThrownBy(() -> index(size, SPAN))
        .isInstanceOf(ZipException.class)
        .hasMessageContaining("incorrect length check");
  }

  @Test
  void trailingZerosAndGarbageAreReadAndReportedLikeGzipDoes() throws IOException {
    byte[] blob = two.blob();
    byte[] zeros = Arrays.copyOf(blob, blob.length + 100_000);
    Indexed z = index(zeros, SPAN);
    assertSameBytes(z.data(), two.data(), "data before zero padding");
    assertThat(z.trailing()).containsExactly(new long[] {blob.length, 100_000, 1});

    byte[] garbage = Arrays.copyOf(blob, blob.length + 3);
    garbage[blob.length + 1] = 'x';
    Indexed g = index(garbage, SPAN);
    assertSameBytes(g.data(), two.data(), "data before garbage");
    assertThat(g.trailing()).containsExactly(new long[] {blob.length, 3, 0});

    byte[] oneByte = Arrays.copyOf(blob, blob.length + 1);
    oneByte[blob.length] = 0x1f;
    assertThat(index(oneByte, SPAN).trailing()).containsExactly(new long[] {blob.length, 1, 0});

    // The input is read to its end either way, so a digest over it covers everything.
    CountingInput counting = new CountingInput(new ByteArrayInputStream(zeros));
    GzipCheckpointer.run(counting, SPAN, new NullSink());
    assertThat(counting.count).isEqualTo(zeros.length);

    // A caller that wants strictness says so.
    GzipCheckpointer.Sink strict =
        new NullSink() {
          @Override
          public void trailingData(long compressedOffset, long length, boolean allZero)
              throws IOException {
            if (!allZero) {
              throw new ZipException("trailing garbage at " + compressedOffset);
            }
          }
        };
    GzipCheckpointer.run(new ByteArrayInputStream(zeros), SPAN, strict);
    assertThatThrownBy(() -> GzipCheckpointer.run(new ByteArrayInputStream(garbage), SPAN, strict))
        .hasMessage("trailing garbage at " + blob.length);
  }

  @Test
  void badArgumentsAndSinkFailures() {
    assertThatThrownBy(
            () -> GzipCheckpointer.run(new ByteArrayInputStream(two.blob()), 0, new NullSink()))
        .isInstanceOf(IllegalArgumentException.class);
    GzipCheckpointer.Sink failing =
        new NullSink() {
          @Override
          public void data(byte[] buf, int off, int len) throws IOException {
            throw new IOException("disk full");
          }
        };
    assertThatThrownBy(
            () -> GzipCheckpointer.run(new ByteArrayInputStream(two.blob()), SPAN, failing))
        .hasMessage("disk full");
  }

  // ------------------------------------------------------------------ read side

  @Test
  void readingPastTheCompressedInputIsTruncation() throws IOException {
    List<Checkpoint> cps = index(two.blob(), SPAN).checkpoints();
    Checkpoint cp = cps.get(2);
    Checkpoint next = cps.get(3);
    int start = (int) cp.compressedReadStart();
    int end = (int) next.compressedOffset();
    long spanLength = next.uncompressedOffset() - cp.uncompressedOffset();
    // Less than the span needs. (Its last byte may hold nothing but the end-of-block code.)
    assertThatThrownBy(
            () ->
                CheckpointInflater.inflate(
                    cp,
                    new ByteArrayInputStream(two.blob(), start, end - start - 50),
                    spanLength,
                    new ByteArrayOutputStream()))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("compressed input ended");
    // More than the span: the next one's bytes are not there.
    assertThatThrownBy(
            () ->
                CheckpointInflater.inflate(
                    cp,
                    new ByteArrayInputStream(two.blob(), start, end - start),
                    spanLength + 1,
                    new ByteArrayOutputStream()))
        .isInstanceOf(EOFException.class);
  }

  @Test
  void readingPastTheEndOfTheGzipStreamIsAnError() throws IOException {
    Checkpoint last = index(two.blob(), SPAN).checkpoints().getLast();
    int start = (int) last.compressedReadStart();
    long rest = two.data().length - last.uncompressedOffset();
    byte[] padded = Arrays.copyOf(two.blob(), two.blob().length + 1000);
    assertThatThrownBy(
            () ->
                CheckpointInflater.inflate(
                    last,
                    new ByteArrayInputStream(padded, start, padded.length - start),
                    rest + 1,
                    new ByteArrayOutputStream()))
        .isInstanceOf(EOFException.class)
        .hasMessageContaining("1 bytes short");
  }

  @Test
  void badWindowsAreRejected() throws IOException {
    Checkpoint cp =
        index(two.blob(), SPAN).checkpoints().stream()
            .filter(c -> c.windowLength() == 32768)
            .findFirst()
            .orElseThrow();
    int start = (int) cp.compressedReadStart();
    List<Checkpoint> bad =
        List.of(
            new Checkpoint(
                cp.uncompressedOffset(),
                cp.compressedOffset(),
                cp.bits(),
                cp.window(),
                cp.windowLength() - 1),
            new Checkpoint(
                cp.uncompressedOffset(),
                cp.compressedOffset(),
                cp.bits(),
                Arrays.copyOf(cp.window(), cp.window().length / 2),
                cp.windowLength()),
            new Checkpoint(
                cp.uncompressedOffset(), cp.compressedOffset(), cp.bits(), cp.window(), 40_000));
    for (Checkpoint b : bad) {
      assertThatThrownBy(
              () ->
                  CheckpointInflater.inflate(
                      b,
                      new ByteArrayInputStream(two.blob(), start, two.blob().length - start),
                      1000,
                      new ByteArrayOutputStream()))
          .isInstanceOf(ZipException.class)
          .hasMessageContaining("window");
    }
  }

  @Test
  void garbageCompressedDataIsCorruption() {
    Checkpoint start = new Checkpoint(0, 0, 0, new byte[0], 0);
    byte[] garbage = GzipFixtures.random(5, 100_000);
    garbage[0] = (byte) 0xff; // BTYPE 11: reserved, invalid
    assertThatThrownBy(
            () ->
                CheckpointInflater.inflate(
                    start, new ByteArrayInputStream(garbage), 50_000, new ByteArrayOutputStream()))
        .isInstanceOf(ZipException.class)
        .hasMessageContaining("invalid block type");
  }

  @Test
  void aReaderCanStopEarlyAndReadsOnlyWhatItNeeds() throws IOException {
    Checkpoint first = index(two.blob(), SPAN).checkpoints().getFirst();
    CountingInput counting =
        new CountingInput(new ByteArrayInputStream(two.blob(), 10, two.blob().length - 10));
    try (InputStream in = CheckpointInflater.open(first, counting)) {
      assertThat(in.readNBytes(100)).isEqualTo(Arrays.copyOf(two.data(), 100));
      assertThat(in.available()).isLessThanOrEqualTo(4096);
    }
    assertThat(counting.closed).isTrue();
    assertThat(counting.count).isLessThanOrEqualTo(64 * 1024);
    InputStream closed =
        CheckpointInflater.open(first, new ByteArrayInputStream(two.blob(), 10, 100));
    closed.close();
    assertThatThrownBy(closed::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
  }

  @Test
  void concurrentReadsOnVirtualThreadsShareNothingMutable() throws Exception {
    List<Checkpoint> cps = index(two.blob(), SPAN).checkpoints();
    int size = two.data().length;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 32; t++) {
        long seed = t;
        done.add(
            pool.submit(
                () -> {
                  Random r = new Random(seed);
                  for (int i = 0; i < 20; i++) {
                    int offset = r.nextInt(size);
                    int length = Math.min(size - offset, 1 + r.nextInt(100_000));
                    byte[] got = GzipIndexTest.readAt(two.blob(), cps, offset, length, i % 3);
                    assertSameBytes(
                        got,
                        Arrays.copyOfRange(two.data(), offset, offset + length),
                        "read at " + offset);
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    }
  }

  static class NullSink implements GzipCheckpointer.Sink {
    @Override
    public void data(byte[] buf, int off, int len) throws IOException {}

    @Override
    public void checkpoint(Checkpoint cp) throws IOException {}
  }

  static final class CountingInput extends FilterInputStream {
    long count;
    boolean closed;

    CountingInput(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      closed = true;
      super.close();
    }
  }
}
