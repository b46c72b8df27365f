package dev.strata.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.registry.Digest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heap use must not grow with layer size: a 3 GiB layer is indexed in a JVM limited to a 64 MiB
 * heap, and its peak heap is compared with that of a layer ten times smaller.
 */
class LayerIndexerMemoryIT {
  private static final String HEAP = "-Xmx64m";

  @TempDir Path dir;

  record Layer(Path blob, Digest digest, Digest diffId) {}

  /** A gzip tar of {@code files} files of 1 MiB each, written as it is generated. */
  static Layer generate(Path blob, int files) throws IOException {
    MessageDigest compressed = Digest.newSha256();
    MessageDigest uncompressed = Digest.newSha256();
    Random random = new Random(files);
    byte[] block = new byte[4096];
    byte[] chunk = new byte[64 * 1024];
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(blob), 1 << 16);
        OutputStream hashed = new DigestOutputStream(file, compressed);
        GZIPOutputStream gzip =
            new GZIPOutputStream(hashed, 1 << 16) {
              {
                def.setLevel(1);
              }
            };
        OutputStream tarBytes = new DigestOutputStream(gzip, uncompressed);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(tarBytes)) {
      for (int f = 0; f < files; f++) {
        TarArchiveEntry entry = new TarArchiveEntry("data/" + (f / 100) + "/file-" + f);
        entry.setSize(1 << 20);
        tar.putArchiveEntry(entry);
        for (int c = 0; c < 16; c++) {
          random.nextBytes(block);
          for (int i = 0; i < chunk.length; i += block.length) {
            System.arraycopy(block, 0, chunk, i, block.length);
          }
          tar.write(chunk);
        }
        tar.closeArchiveEntry();
      }
    }
    return new Layer(
        blob,
        new Digest("sha256", HexFormat.of().formatHex(compressed.digest())),
        new Digest("sha256", HexFormat.of().formatHex(uncompressed.digest())));
  }

  static Map<String, Long> probe(Layer layer) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process =
        new ProcessBuilder(
                java,
                HEAP,
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                IndexMemoryProbe.class.getName(),
                layer.blob().toString(),
                layer.digest().toString(),
                layer.diffId().toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(10, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    Matcher m =
        Pattern.compile(
                "uncompressed=(\\d+) entries=(\\d+) spans=(\\d+) indexBytes=(\\d+) peakHeap=(\\d+)")
            .matcher(output);
    assertThat(m.find()).as(output).isTrue();
    return Map.of(
        "uncompressed", Long.parseLong(m.group(1)),
        "entries", Long.parseLong(m.group(2)),
        "spans", Long.parseLong(m.group(3)),
        "indexBytes", Long.parseLong(m.group(4)),
        "peakHeap", Long.parseLong(m.group(5)));
  }

  @Test
  void aMultiGigabyteLayerIsIndexedInASmallHeap() throws Exception {
    Map<String, Long> small = probe(generate(dir.resolve("small.tar.gz"), 307));
    Map<String, Long> large = probe(generate(dir.resolve("large.tar.gz"), 3072));
    assertThat(large.get("uncompressed")).isGreaterThan(3L << 30);
    assertThat(large.get("entries")).isEqualTo(3072 + 0L);
    assertThat(large.get("spans")).isGreaterThan(1000L);
    // ten times the data, not ten times the heap: only the index itself grows (~0.5 %)
    long growth = large.get("peakHeap") - small.get("peakHeap");
    long indexGrowth = large.get("indexBytes") - small.get("indexBytes");
    System.out.printf(
        "peak heap: %d MiB for %d MiB, %d MiB for %d MiB%n",
        small.get("peakHeap") >> 20,
        small.get("uncompressed") >> 20,
        large.get("peakHeap") >> 20,
        large.get("uncompressed") >> 20);
    assertThat(large.get("peakHeap")).isLessThan(64L << 20);
    assertThat(growth).isLessThan(Math.max(16L << 20, 4 * indexGrowth));
    assertThat(List.of(small, large)).allSatisfy(r -> assertThat(r.get("entries")).isPositive());
  }
}
