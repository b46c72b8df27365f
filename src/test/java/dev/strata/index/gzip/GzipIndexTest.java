package dev.strata.index.gzip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.index.Checkpoint;
import dev.strata.index.gzip.GzipFixtures.Fixture;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Index then read back, for gzip streams from several producers: the sink sees exactly the
 * decompressed stream, checkpoints are spaced and carry the right windows, and every read restarted
 * from a checkpoint matches the full decompression byte for byte.
 */
class GzipIndexTest {
  static final long SPAN = 64 * 1024;

  @TempDir static Path dir;

  private static List<Fixture> fixtures;

  @BeforeAll
  static void makeFixtures() {
    fixtures = GzipFixtures.all(dir);
  }

  static List<Fixture> fixtures() {
    return fixtures;
  }

  /** What one indexing pass produced. */
  @SuppressWarnings("ArrayRecordComponent") // test data, never mutated
  record Indexed(byte[] data, List<Checkpoint> checkpoints, long total, List<long[]> trailing) {}

  static Indexed index(InputStream blob, long span) throws IOException {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    List<Checkpoint> checkpoints = new ArrayList<>();
    List<long[]> trailing = new ArrayList<>();
    long total =
        GzipCheckpointer.run(
            blob,
            span,
            new GzipCheckpointer.Sink() {
              @Override
              public void data(byte[] buf, int off, int len) {
                assertThat(len).isPositive();
                data.write(buf, off, len);
              }

              @Override
              public void checkpoint(Checkpoint cp) {
                assertThat(cp.uncompressedOffset())
                    .as("data before a checkpoint is delivered before it")
                    .isEqualTo(data.size());
                checkpoints.add(cp);
              }

              @Override
              public void trailingData(long compressedOffset, long length, boolean allZero) {
                trailing.add(new long[] {compressedOffset, length, allZero ? 1 : 0});
              }
            });
    return new Indexed(data.toByteArray(), checkpoints, total, trailing);
  }

  static Indexed index(byte[] blob, long span) throws IOException {
    return index(new ByteArrayInputStream(blob), span);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void sinkSeesTheFullDecompression(Fixture f) throws IOException {
    Indexed ix = index(f.blob(), SPAN);

    assertThat(ix.total()).isEqualTo(f.data().length);
    assertSameBytes(ix.data(), f.data(), "sink data");
    try (InputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(f.blob()))) {
      assertSameBytes(gunzip.readAllBytes(), f.data(), "GZIPInputStream");
    }
    assertThat(ix.trailing()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void inputInTinyPiecesGivesTheSameResult(Fixture f) throws IOException {
    Indexed whole = index(f.blob(), SPAN);
    Indexed trickled = index(new Trickle(new ByteArrayInputStream(f.blob()), 3), SPAN);

    assertSameBytes(trickled.data(), f.data(), "sink data");
    assertThat(trickled.checkpoints()).hasSameSizeAs(whole.checkpoints());
    for (int i = 0; i < whole.checkpoints().size(); i++) {
      Checkpoint a = whole.checkpoints().get(i);
      Checkpoint b = trickled.checkpoints().get(i);
      assertThat(b.uncompressedOffset()).isEqualTo(a.uncompressedOffset());
      assertThat(b.compressedOffset()).isEqualTo(a.compressedOffset());
      assertThat(b.bits()).isEqualTo(a.bits());
      assertThat(b.window()).isEqualTo(a.window());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void checkpointsAreSpacedAndCarryTheirWindows(Fixture f) throws IOException, DataFormatException {
    List<Checkpoint> cps = index(f.blob(), SPAN).checkpoints();

    assertThat(cps).isNotEmpty();
    Checkpoint first = cps.getFirst();
    assertThat(first.uncompressedOffset()).isZero();
    assertThat(first.bits()).isZero();
    assertThat(first.windowLength()).isZero();
    assertThat(first.compressedOffset()).isEqualTo(headerLength(f.blob(), 0));
    for (int i = 1; i < cps.size(); i++) {
      assertThat(cps.get(i).uncompressedOffset() - cps.get(i - 1).uncompressedOffset())
          .as("gap before checkpoint %d", i)
          .isGreaterThanOrEqualTo(SPAN);
      assertThat(cps.get(i).compressedOffset()).isGreaterThan(cps.get(i - 1).compressedOffset());
    }
    for (Checkpoint cp : cps) {
      long u = cp.uncompressedOffset();
      long memberStart = 0;
      for (long s : f.memberStarts()) {
        if (s <= u) {
          memberStart = s;
        }
      }
      int expected = (int) Math.min(32768, u - memberStart);
      assertThat(cp.windowLength()).as("window length at %d", u).isEqualTo(expected);
      byte[] window = inflateRaw(cp.window(), cp.windowLength());
      assertSameBytes(
          window, Arrays.copyOfRange(f.data(), (int) u - expected, (int) u), "window at " + u);
      assertThat(cp.compressedOffset()).isLessThanOrEqualTo(f.blob().length);
    }
  }

  @Test
  void checkpointsOfEveryKindOccur() throws IOException {
    Fixture gzip6 = byName("gzip -6");
    List<Checkpoint> cps = index(gzip6.blob(), SPAN).checkpoints();
    assertThat(cps).as("unaligned block boundaries").anyMatch(cp -> cp.bits() > 0);
    assertThat(cps.size()).isGreaterThan(gzip6.data().length / (int) SPAN / 2);

    Fixture estargz = byName("eStargz-like");
    List<Checkpoint> members = index(estargz.blob(), SPAN).checkpoints();
    assertThat(members)
        .as("member starts")
        .anyMatch(cp -> cp.uncompressedOffset() > 0 && cp.windowLength() == 0);
    assertThat(members.size())
        .as("not one per member")
        .isLessThanOrEqualTo(estargz.data().length / (int) SPAN + 1);
  }

  private static Fixture byName(String prefix) {
    return fixtures.stream().filter(f -> f.name().startsWith(prefix)).findFirst().orElseThrow();
  }

  /** What a span read does: only the span's compressed range, exactly the span's length. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void eachSpanInflatesFromExactlyItsCompressedRange(Fixture f) throws IOException {
    List<Checkpoint> cps = index(f.blob(), SPAN).checkpoints();
    for (int i = 0; i < cps.size(); i++) {
      Checkpoint cp = cps.get(i);
      boolean last = i == cps.size() - 1;
      long end = last ? f.data().length : cps.get(i + 1).uncompressedOffset();
      int compressedEnd = last ? f.blob().length : (int) cps.get(i + 1).compressedOffset();
      int start = (int) cp.compressedReadStart();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CheckpointInflater.inflate(
          cp,
          new ByteArrayInputStream(f.blob(), start, compressedEnd - start),
          end - cp.uncompressedOffset(),
          out);
      assertSameBytes(
          out.toByteArray(),
          Arrays.copyOfRange(f.data(), (int) cp.uncompressedOffset(), (int) end),
          "span " + i);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void randomReadsMatchTheFullDecompression(Fixture f) throws IOException {
    List<Checkpoint> cps = index(f.blob(), SPAN).checkpoints();
    int size = f.data().length;
    Random r = new Random(f.name().hashCode());
    List<long[]> reads = new ArrayList<>();
    for (Checkpoint cp : cps) {
      reads.add(new long[] {cp.uncompressedOffset(), 1 + r.nextInt(200_000)});
    }
    for (long s : f.memberStarts()) {
      for (long d : new long[] {-3000, -1, 0, 1}) {
        reads.add(new long[] {s + d, 1 + r.nextInt(70_000)});
      }
    }
    for (int k : new int[] {1, 100, 70_000, 1 << 20}) {
      reads.add(new long[] {size - k, k});
    }
    for (int i = 0; i < 150; i++) {
      reads.add(
          new long[] {
            r.nextInt(Math.max(1, size)), 1 + r.nextInt(r.nextBoolean() ? 500 : 300_000)
          });
    }
    int n = 0;
    for (long[] read : reads) {
      long offset = Math.max(0, Math.min(read[0], size - 1));
      long length = Math.min(read[1], size - offset);
      if (length <= 0) {
        continue;
      }
      byte[] got = readAt(f.blob(), cps, offset, (int) length, n++ % 3);
      assertSameBytes(
          got,
          Arrays.copyOfRange(f.data(), (int) offset, (int) (offset + length)),
          "read " + (n - 1) % 3 + " of " + length + " bytes at " + offset);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void readingFromACheckpointEndsAtTheEndOfTheStream(Fixture f) throws IOException {
    List<Checkpoint> cps = index(f.blob(), SPAN).checkpoints();
    for (Checkpoint cp : List.of(cps.getFirst(), cps.get(cps.size() / 2), cps.getLast())) {
      int start = (int) cp.compressedReadStart();
      try (InputStream in =
          CheckpointInflater.open(
              cp, new ByteArrayInputStream(f.blob(), start, f.blob().length - start))) {
        assertSameBytes(
            in.readAllBytes(),
            Arrays.copyOfRange(f.data(), (int) cp.uncompressedOffset(), f.data().length),
            "from " + cp.uncompressedOffset() + " to the end");
        assertThat(in.read()).isEqualTo(-1);
      }
    }
  }

  /**
   * Reads {@code data[offset, offset+length)} the way the read path would: covering checkpoint,
   * blob from its read start, skip. {@code how}: 0 = inflate(), 1 = open() + skip + read, 2 =
   * open() over input arriving a few bytes at a time.
   */
  static byte[] readAt(byte[] blob, List<Checkpoint> cps, long offset, int length, int how)
      throws IOException {
    Checkpoint cp = covering(cps, offset);
    int start = (int) cp.compressedReadStart();
    InputStream compressed = new ByteArrayInputStream(blob, start, blob.length - start);
    long skip = offset - cp.uncompressedOffset();
    switch (how) {
      case 0 -> {
        Tail out = new Tail(skip, length);
        CheckpointInflater.inflate(cp, compressed, skip + length, out);
        return out.bytes();
      }
      case 1 -> {
        try (InputStream in = CheckpointInflater.open(cp, compressed)) {
          in.skipNBytes(skip);
          return in.readNBytes(length);
        }
      }
      default -> {
        try (InputStream in = CheckpointInflater.open(cp, new Trickle(compressed, 5))) {
          in.skipNBytes(skip);
          return in.readNBytes(length);
        }
      }
    }
  }

  /** Equal arrays, or a failure naming the first difference (not megabytes of numbers). */
  static void assertSameBytes(byte[] actual, byte[] expected, String what) {
    int n = Math.min(actual.length, expected.length);
    int mismatch = Arrays.mismatch(actual, expected);
    if (mismatch >= 0) {
      throw new AssertionError(
          what
              + ": "
              + actual.length
              + " bytes, expected "
              + expected.length
              + (mismatch < n ? "; first difference at " + mismatch : ""));
    }
  }

  static Checkpoint covering(List<Checkpoint> cps, long offset) {
    Checkpoint found = cps.getFirst();
    for (Checkpoint cp : cps) {
      if (cp.uncompressedOffset() <= offset) {
        found = cp;
      }
    }
    return found;
  }

  static byte[] inflateRaw(byte[] deflated, int length) throws DataFormatException {
    Inflater inf = new Inflater(true);
    try {
      inf.setInput(deflated);
      byte[] out = new byte[length];
      int n = 0;
      while (n < length && !inf.finished()) {
        int k = inf.inflate(out, n, length - n);
        if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
          break;
        }
        n += k;
      }
      assertThat(n).isEqualTo(length);
      return out;
    } finally {
      inf.end();
    }
  }

  /** Length of the gzip member header at {@code at}. */
  static int headerLength(byte[] b, int at) {
    int flg = b[at + 3];
    int p = at + 10;
    if ((flg & 4) != 0) {
      p += 2 + (b[p] & 0xff) + ((b[p + 1] & 0xff) << 8);
    }
    if ((flg & 8) != 0) {
      while (b[p++] != 0) {}
    }
    if ((flg & 16) != 0) {
      while (b[p++] != 0) {}
    }
    if ((flg & 2) != 0) {
      p += 2;
    }
    return p - at;
  }

  /** Keeps the bytes written after the first {@code skip}. */
  static final class Tail extends OutputStream {
    private long skip;
    private final ByteArrayOutputStream kept;

    Tail(long skip, int expected) {
      this.skip = skip;
      this.kept = new ByteArrayOutputStream(expected);
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      int drop = (int) Math.min(skip, len);
      skip -= drop;
      kept.write(b, off + drop, len - drop);
    }

    byte[] bytes() {
      return kept.toByteArray();
    }
  }

  /** Hands out at most {@code max} bytes per read. */
  static final class Trickle extends FilterInputStream {
    private final int max;

    Trickle(InputStream in, int max) {
      super(in);
      this.max = max;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return super.read(b, off, Math.min(len, max));
    }
  }
}
