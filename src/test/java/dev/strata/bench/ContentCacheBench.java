package dev.strata.bench;

import dev.strata.contentcache.server.ContentCacheServer;
import dev.strata.contentcache.server.ServerOptions;
import dev.strata.contentcache.server.SocketServers;
import dev.strata.testing.ContentCacheTestClient;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * The ContentCache benchmark, run by {@code scripts/bench} (section {@code contentcache}): a server
 * over loopback TCP (Netty, in this JVM) holding one content of CONTENT_MIB MiB, and the latency of
 *
 * <ul>
 *   <li>{@code HasContent}: one round trip, the baseline;
 *   <li>2 MiB {@code GetContent} ranges served from the hot (memory) cache;
 *   <li>2 MiB ranges at random offsets read from disk with the hot cache off (the content file in
 *       the page cache: what the server adds on top of the kernel);
 *   <li>the same with the page cache dropped before every read, when this runs as root.
 * </ul>
 *
 * Usage: {@code ContentCacheBench CONTENT_MIB READS}. Prints a Markdown table.
 */
public final class ContentCacheBench {
  private static final int RANGE = 2 << 20;
  private static final int WARMUP = 100;

  private ContentCacheBench() {}

  private record Row(String what, List<Double> millis, long bytesPerCall) {}

  public static void main(String[] args) throws Exception {
    long contentBytes = Long.parseLong(args[0]) << 20;
    int reads = Integer.parseInt(args[1]);
    Path dir = Files.createTempDirectory("strata-cc-bench");
    List<Row> rows = new ArrayList<>();
    try {
      String hash;
      try (Running hot = Running.start(dir, ServerOptions.DEFAULT_MEMORY_BYTES)) {
        hash = hot.client.store("", contentBytes, generated(contentBytes)).getHash();
        rows.add(new Row("HasContent (one round trip)", time(reads, () -> hot.has(hash)), 0));
        long[] hotOffsets = offsets(new Random(1), 64, contentBytes);
        for (long offset : hotOffsets) {
          hot.read(hash, offset); // fills the hot cache
        }
        Random pick = new Random(2);
        rows.add(
            new Row(
                "GetContent 2 MiB, hot cache hit",
                time(reads, () -> hot.read(hash, hotOffsets[pick.nextInt(hotOffsets.length)])),
                RANGE));
      }
      try (Running disk = Running.start(dir, 0)) {
        Random random = new Random(3);
        rows.add(
            new Row(
                "GetContent 2 MiB, random offset, hot cache off (file in page cache)",
                time(reads, () -> disk.read(hash, offset(random, contentBytes))),
                RANGE));
        if (canDropCaches()) {
          int coldReads = Math.min(reads, 50);
          List<Double> cold = new ArrayList<>();
          for (int i = 0; i < coldReads; i++) {
            dropCaches();
            long offset = offset(random, contentBytes);
            long start = System.nanoTime();
            disk.read(hash, offset);
            cold.add((System.nanoTime() - start) / 1e6);
          }
          rows.add(
              new Row(
                  "GetContent 2 MiB, random offset, hot cache off, page cache dropped",
                  sorted(cold),
                  RANGE));
        }
      }
    } finally {
      deleteTree(dir);
    }
    print(rows, contentBytes, reads);
  }

  /** A server on a free loopback port and a client of it. */
  private record Running(ContentCacheServer server, ContentCacheTestClient client)
      implements AutoCloseable {
    static Running start(Path dir, long memoryBytes) throws IOException {
      ContentCacheServer server =
          ContentCacheServer.start(
              SocketServers.forAddress(
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                  InsecureServerCredentials.create()),
              ServerOptions.of(dir, 8L << 30).withMemoryBytes(memoryBytes));
      ContentCacheTestClient client =
          ContentCacheTestClient.on(
              Grpc.newChannelBuilderForAddress(
                      "127.0.0.1", server.port(), InsecureChannelCredentials.create())
                  .build(),
              null);
      return new Running(server, client);
    }

    long has(String hash) {
      return client.has(hash).getSize();
    }

    long read(String hash, long offset) {
      return client.read(hash, offset, RANGE).chunks();
    }

    @Override
    public void close() throws InterruptedException {
      client.close();
      server.close();
    }
  }

  /** Warms up, then times {@code reads} calls; sorted milliseconds. */
  private static List<Double> time(int reads, LongSupplier call) {
    long sink = 0;
    for (int i = 0; i < WARMUP; i++) {
      sink += call.getAsLong();
    }
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < reads; i++) {
      long start = System.nanoTime();
      sink += call.getAsLong();
      millis.add((System.nanoTime() - start) / 1e6);
    }
    if (sink == Long.MIN_VALUE) {
      System.out.println(); // keeps the calls' results alive
    }
    return sorted(millis);
  }

  private static List<Double> sorted(List<Double> values) {
    List<Double> copy = new ArrayList<>(values);
    Collections.sort(copy);
    return copy;
  }

  private static long offset(Random random, long contentBytes) {
    return (long) (random.nextDouble() * (contentBytes - RANGE));
  }

  private static long[] offsets(Random random, int count, long contentBytes) {
    long[] offsets = new long[count];
    for (int i = 0; i < count; i++) {
      offsets[i] = offset(random, contentBytes);
    }
    return offsets;
  }

  /** Pseudo-random content in 1 MiB messages, never held whole. */
  private static Iterator<byte[]> generated(long size) {
    Random random = new Random(42);
    return new Iterator<>() {
      private long produced;

      @Override
      public boolean hasNext() {
        return produced < size;
      }

      @Override
      public byte[] next() {
        byte[] chunk = new byte[(int) Math.min(1 << 20, size - produced)];
        random.nextBytes(chunk);
        produced += chunk.length;
        return chunk;
      }
    };
  }

  private static boolean canDropCaches() {
    return Files.isWritable(Path.of("/proc/sys/vm/drop_caches"));
  }

  private static void dropCaches() throws IOException {
    Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "1");
  }

  private static void print(List<Row> rows, long contentBytes, int reads) {
    double baseline = percentile(rows.get(0).millis(), 0.50);
    System.out.printf(
        Locale.ROOT,
        "Server and client in one JVM over loopback TCP (Netty, plaintext), one content of %d MiB;"
            + " %d calls per row after %d warm-up calls (page-cache-dropped row: up to 50 calls,"
            + " no warm-up).%n%n",
        contentBytes >> 20,
        reads,
        WARMUP);
    System.out.println("| call | calls | p50 | p99 | p50 − round trip | throughput at p50 |");
    System.out.println("|---|---|---|---|---|---|");
    for (Row row : rows) {
      double p50 = percentile(row.millis(), 0.50);
      System.out.printf(
          Locale.ROOT,
          "| %s | %d | %.2f ms | %.2f ms | %s | %s |%n",
          row.what(),
          row.millis().size(),
          p50,
          percentile(row.millis(), 0.99),
          row.bytesPerCall() == 0 ? "–" : String.format(Locale.ROOT, "%.2f ms", p50 - baseline),
          row.bytesPerCall() == 0
              ? "–"
              : String.format(Locale.ROOT, "%.0f MB/s", row.bytesPerCall() / (p50 / 1e3) / 1e6));
    }
  }

  private static double percentile(List<Double> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
