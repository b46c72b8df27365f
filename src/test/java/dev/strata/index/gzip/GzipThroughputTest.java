package dev.strata.index.gzip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.index.Checkpoint;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quick side-by-side timing, not a benchmark (JMH is): index build vs {@link GZIPInputStream} on
 * ~200 MB of tar-like data, index size, and random 64 KiB reads. Run with {@code
 * -Dstrata.gzip.bench=true} (optionally {@code -Dstrata.gzip.bench.mib=200}).
 */
@EnabledIfSystemProperty(named = "strata.gzip.bench", matches = "true")
class GzipThroughputTest {
  @TempDir Path dir;

  @Test
  void indexBuildVersusGzipInputStream() throws IOException, DataFormatException {
    int mib = Integer.getInteger("strata.gzip.bench.mib", 200);
    String level = System.getProperty("strata.gzip.bench.level", "-6");
    long span = Long.getLong("strata.gzip.bench.span", 2 << 20);
    byte[] data = GzipFixtures.tarLike(42, mib << 20);
    byte[] blob = GzipFixtures.run(dir, data, "gzip", "-c", level);
    System.out.printf(
        "input: %d MiB tar-like, gzip %s -> %.1f MiB (ratio %.2f)%n",
        mib, level, blob.length / 1048576.0, (double) data.length / blob.length);

    List<Long> plain = new ArrayList<>();
    List<Long> indexed = new ArrayList<>();
    Stats stats = null;
    for (int round = 0; round < 6; round++) {
      long t0 = System.nanoTime();
      long n = gunzip(blob);
      long t1 = System.nanoTime();
      Stats s = new Stats();
      long m = GzipCheckpointer.run(new ByteArrayInputStream(blob), span, s);
      long t2 = System.nanoTime();
      assertThat(n).isEqualTo(data.length);
      assertThat(m).isEqualTo(data.length);
      if (round > 0) { // first round is warm-up
        plain.add(t1 - t0);
        indexed.add(t2 - t1);
      }
      stats = s;
    }
    double plainMbs = mbPerSec(data.length, median(plain));
    double indexMbs = mbPerSec(data.length, median(indexed));
    System.out.printf(
        "GZIPInputStream: median %.0f MB/s (best %.0f)%n",
        plainMbs, mbPerSec(data.length, min(plain)));
    System.out.printf(
        "GzipCheckpointer: median %.0f MB/s (best %.0f) = %.0f%% of GZIPInputStream%n",
        indexMbs, mbPerSec(data.length, min(indexed)), 100 * indexMbs / plainMbs);

    double gb = data.length / 1e9;
    long level6 = 0;
    long level9 = 0;
    for (Checkpoint cp : stats.checkpoints) {
      byte[] raw = GzipIndexTest.inflateRaw(cp.window(), cp.windowLength());
      level6 += deflatedSize(raw, Deflater.DEFAULT_COMPRESSION);
      level9 += deflatedSize(raw, Deflater.BEST_COMPRESSION);
    }
    int aligned = 0;
    for (Checkpoint cp : stats.checkpoints) {
      aligned += cp.bits() == 0 ? 1 : 0;
    }
    System.out.printf(
        "span %d KiB: %d checkpoints (%.0f per GB, %d byte aligned), max gap %d KiB%n"
            + "windows per GB: %.1f MB raw, %.1f MB as stored (deflate level 6: %.1f, level 9:"
            + " %.1f)%n",
        span >> 10,
        stats.checkpoints.size(),
        stats.checkpoints.size() / gb,
        aligned,
        stats.maxGap(data.length) >> 10,
        stats.rawWindowBytes / gb / 1e6,
        stats.windowBytes / gb / 1e6,
        level6 / gb / 1e6,
        level9 / gb / 1e6);

    // Random 64 KiB reads, the way the read path does them from a span in memory.
    Random r = new Random(1);
    List<Long> lat = new ArrayList<>();
    long compressedRead = 0;
    for (int i = 0; i < 600; i++) {
      long offset = (long) (r.nextDouble() * (data.length - 65536));
      Checkpoint cp = GzipIndexTest.covering(stats.checkpoints, offset);
      int start = (int) cp.compressedReadStart();
      Counting in = new Counting(blob, start);
      long t0 = System.nanoTime();
      try (InputStream u = CheckpointInflater.open(cp, in)) {
        u.skipNBytes(offset - cp.uncompressedOffset());
        byte[] got = u.readNBytes(65536);
        if (i >= 100) {
          lat.add(System.nanoTime() - t0);
          compressedRead += in.count();
        }
        if (i % 50 == 0) {
          assertThat(got).isEqualTo(Arrays.copyOfRange(data, (int) offset, (int) offset + 65536));
        }
      }
    }
    lat.sort(null);
    System.out.printf(
        "random 64 KiB reads: p50 %.2f ms, p99 %.2f ms, %d KiB compressed input each on average%n",
        lat.get(lat.size() / 2) / 1e6,
        lat.get(lat.size() * 99 / 100) / 1e6,
        (compressedRead / lat.size()) >> 10);

    // A read of a whole span into a sink, for the per-call overhead of open/close.
    long t0 = System.nanoTime();
    for (int i = 0; i < 2000; i++) {
      Checkpoint cp = stats.checkpoints.get(r.nextInt(stats.checkpoints.size()));
      int start = (int) cp.compressedReadStart();
      CheckpointInflater.inflate(
          cp,
          new ByteArrayInputStream(blob, start, blob.length - start),
          1,
          OutputStream.nullOutputStream());
    }
    System.out.printf(
        "restart cost (window inflate + setDictionary + 1 byte): %.1f us%n",
        (System.nanoTime() - t0) / 2000.0 / 1e3);
  }

  private static long gunzip(byte[] blob) throws IOException {
    long n = 0;
    byte[] buf = new byte[256 * 1024];
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(blob), 64 * 1024)) {
      int k;
      while ((k = in.read(buf)) >= 0) {
        n += k;
      }
    }
    return n;
  }

  private static int deflatedSize(byte[] raw, int level) {
    Deflater d = new Deflater(level, true);
    d.setInput(raw);
    d.finish();
    byte[] out = new byte[raw.length + 1024];
    int n = 0;
    while (!d.finished()) {
      n += d.deflate(out, n, out.length - n);
    }
    d.end();
    return n;
  }

  private static double mbPerSec(long bytes, long nanos) {
    return bytes / (nanos / 1e9) / 1e6;
  }

  private static long median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    s.sort(null);
    return s.get(s.size() / 2);
  }

  private static long min(List<Long> xs) {
    return xs.stream().mapToLong(Long::longValue).min().orElseThrow();
  }

  private static final class Stats implements GzipCheckpointer.Sink {
    final List<Checkpoint> checkpoints = new ArrayList<>();
    long windowBytes;
    long rawWindowBytes;

    @Override
    public void data(byte[] buf, int off, int len) {}

    @Override
    public void checkpoint(Checkpoint cp) {
      checkpoints.add(cp);
      windowBytes += cp.window().length;
      rawWindowBytes += cp.windowLength();
    }

    long maxGap(long end) {
      long max = 0;
      for (int i = 0; i < checkpoints.size(); i++) {
        long next = i + 1 < checkpoints.size() ? checkpoints.get(i + 1).uncompressedOffset() : end;
        max = Math.max(max, next - checkpoints.get(i).uncompressedOffset());
      }
      return max;
    }
  }

  private static final class Counting extends ByteArrayInputStream {
    private final int start;

    Counting(byte[] b, int start) {
      super(b, start, b.length - start);
      this.start = start;
    }

    long count() {
      return (long) pos - start;
    }
  }
}
