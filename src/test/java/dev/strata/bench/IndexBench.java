package dev.strata.bench;

import dev.strata.index.LayerIndex;
import dev.strata.index.LayerIndexCodec;
import dev.strata.index.LayerIndexer;
import dev.strata.read.BlobRanges;
import dev.strata.read.BlobSpanTier;
import dev.strata.read.ImageContent;
import dev.strata.read.SpanReader;
import dev.strata.read.TieredSpans;
import dev.strata.registry.Digest;
import dev.strata.registry.LayerDescriptor;
import dev.strata.registry.MediaTypes;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPInputStream;

/**
 * The index benchmark, run by {@code scripts/bench}: on one tar.gz layer, in one run,
 *
 * <ul>
 *   <li>index build throughput against plain {@code GZIPInputStream} full decompression of the same
 *       file (alternating, median of the rounds, and their ratio);
 *   <li>index size as a fraction of the uncompressed size;
 *   <li>latency of random 64 KiB reads from the local file through the index (cold: every read
 *       fetches and inflates its spans), p50 and p99.
 * </ul>
 *
 * Usage: {@code IndexBench LAYER.tar.gz ROUNDS READS}. Prints a Markdown table.
 */
public final class IndexBench {
  private IndexBench() {}

  public static void main(String[] args) throws Exception {
    Path blob = Path.of(args[0]);
    int rounds = Integer.parseInt(args[1]);
    int reads = Integer.parseInt(args[2]);
    long compressedSize = Files.size(blob);
    Digest digest = digestOf(blob, false);
    Digest diffId = digestOf(blob, true);
    LayerDescriptor layer =
        new LayerDescriptor(0, MediaTypes.OCI_LAYER_GZIP, digest, compressedSize, diffId);

    List<Double> gunzip = new ArrayList<>();
    List<Double> index = new ArrayList<>();
    LayerIndex built = null;
    long uncompressed = 0;
    for (int round = 0; round < rounds + 1; round++) {
      long start = System.nanoTime();
      try (InputStream in = new GZIPInputStream(Files.newInputStream(blob), 1 << 16)) {
        uncompressed = in.transferTo(OutputStream.nullOutputStream());
      }
      double gunzipSeconds = (System.nanoTime() - start) / 1e9;
      start = System.nanoTime();
      try (InputStream in = new BufferedInputStream(Files.newInputStream(blob), 1 << 16)) {
        built =
            new LayerIndexer(LayerIndexer.DEFAULT_SPAN_TARGET)
                .index(layer, in, LayerIndexer.Observer.NONE);
      }
      double indexSeconds = (System.nanoTime() - start) / 1e9;
      if (round > 0) { // the first round warms up the JIT
        gunzip.add(uncompressed / gunzipSeconds / 1e6);
        index.add(uncompressed / indexSeconds / 1e6);
      }
    }
    long indexBytes = LayerIndexCodec.encode(built).length;

    SpanReader spans = new SpanReader(BlobRanges.file(blob), false);
    ImageContent reader =
        new ImageContent(
            List.of(built), new TieredSpans(List.of(new BlobSpanTier("file", i -> spans))));
    byte[] buffer = new byte[64 * 1024];
    Random random = new Random(42);
    List<Double> latencies = new ArrayList<>();
    int length = 64 * 1024;
    for (int i = 0; i < reads + 20; i++) {
      long offset = (long) (random.nextDouble() * (uncompressed - length));
      long start = System.nanoTime();
      reader.read(0, offset, buffer, 0, length);
      if (i >= 20) {
        latencies.add((System.nanoTime() - start) / 1e6);
      }
    }
    Collections.sort(latencies);

    double gunzipMedian = median(gunzip);
    double indexMedian = median(index);
    System.out.println("| measure | value |");
    System.out.println("|---|---|");
    System.out.printf(
        Locale.ROOT,
        "| layer | %s: %.1f MB compressed, %.1f MB uncompressed, %d entries |%n",
        blob.getFileName(),
        compressedSize / 1e6,
        uncompressed / 1e6,
        built.entries().size());
    System.out.printf(
        Locale.ROOT,
        "| GZIPInputStream full decompression (median of %d) | %.0f MB/s |%n",
        rounds,
        gunzipMedian);
    System.out.printf(
        Locale.ROOT, "| strata index build (median of %d) | %.0f MB/s |%n", rounds, indexMedian);
    System.out.printf(
        Locale.ROOT,
        "| index build / GZIPInputStream | %.2f× (target ≥ 0.85×) |%n",
        indexMedian / gunzipMedian);
    System.out.printf(Locale.ROOT, "| spans (checkpoints) | %d |%n", built.spanCount());
    System.out.printf(
        Locale.ROOT,
        "| index size | %.1f kB = %.3f%% of uncompressed (1 MiB spans; indexed_gzip: 1.6%%) |%n",
        indexBytes / 1e3,
        100.0 * indexBytes / uncompressed);
    System.out.printf(
        Locale.ROOT,
        "| random 64 KiB read, cold, local file (%d reads) | p50 %.2f ms, p99 %.2f ms |%n",
        reads,
        percentile(latencies, 0.50),
        percentile(latencies, 0.99));
  }

  private static Digest digestOf(Path blob, boolean uncompressed) throws IOException {
    MessageDigest sha = Digest.newSha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream raw = Files.newInputStream(blob);
        InputStream in = uncompressed ? new GZIPInputStream(raw, 1 << 16) : raw) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
      }
    }
    return new Digest("sha256", HexFormat.of().formatHex(sha.digest()));
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private static double percentile(List<Double> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }
}
