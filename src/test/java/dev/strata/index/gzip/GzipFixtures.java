package dev.strata.index.gzip;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Test data and gzip streams from several producers, generated at test time. */
final class GzipFixtures {
  private GzipFixtures() {}

  /**
   * A gzip blob and what it decompresses to.
   *
   * @param memberStarts uncompressed offsets where members start (0 first), for window checks
   */
  @SuppressWarnings("ArrayRecordComponent") // test data, never mutated
  record Fixture(String name, byte[] blob, byte[] data, long[] memberStarts) {
    @Override
    public String toString() {
      return name;
    }
  }

  // ---------------------------------------------------------------- data

  private static final String[] WORDS = words(new Random(7), 3000);

  private static String[] words(Random r, int n) {
    String[] words = new String[n];
    for (int i = 0; i < n; i++) {
      char[] w = new char[2 + r.nextInt(9)];
      for (int j = 0; j < w.length; j++) {
        w[j] = (char) ('a' + r.nextInt(26));
      }
      words[i] = new String(w);
    }
    return words;
  }

  /**
   * Something like a tar of a root filesystem: 512-byte headers, then payloads that are text,
   * random (incompressible), zeros, or repetitive binary; moderately compressible (~3x).
   */
  static byte[] tarLike(long seed, int size) {
    Random r = new Random(seed);
    byte[] out = new byte[size];
    int pos = 0;
    int file = 0;
    while (pos < size) {
      // header
      int len = (int) Math.pow(10, 1 + r.nextDouble() * 4.5);
      byte[] header = new byte[512];
      put(header, 0, "usr/lib/pkg" + (file / 50) + "/file-" + file++ + ".dat");
      put(header, 100, "0000644");
      put(header, 108, "0000000");
      put(header, 116, "0000000");
      put(header, 124, String.format("%011o", len));
      put(header, 136, String.format("%011o", 1_700_000_000L + r.nextInt(1000)));
      put(header, 257, "ustar");
      pos = copy(header, out, pos);
      // payload
      int end = Math.min(size, pos + len);
      switch (r.nextInt(10)) {
        case 0, 1, 2, 3, 4 -> pos = text(r, out, pos, end);
        case 5, 6 -> {
          byte[] random = new byte[end - pos];
          r.nextBytes(random);
          pos = copy(random, out, pos);
        }
        case 7 -> pos = end; // zeros
        default -> {
          int x = r.nextInt();
          while (pos < end) {
            x = x * 1103515245 + 12345;
            out[pos++] = (byte) ((x >>> 16) & 0x0f);
          }
        }
      }
      pos = Math.min(size, (pos + 511) & ~511); // zero padding to a block
    }
    return out;
  }

  private static int text(Random r, byte[] out, int pos, int end) {
    while (pos < end) {
      String w = WORDS[r.nextInt(1 + r.nextInt(WORDS.length))];
      for (int i = 0; i < w.length() && pos < end; i++) {
        out[pos++] = (byte) w.charAt(i);
      }
      if (pos < end) {
        out[pos++] = (byte) (r.nextInt(12) == 0 ? '\n' : ' ');
      }
    }
    return pos;
  }

  private static void put(byte[] b, int at, String s) {
    byte[] bytes = s.getBytes(US_ASCII);
    System.arraycopy(bytes, 0, b, at, Math.min(bytes.length, 99));
  }

  private static int copy(byte[] src, byte[] dst, int pos) {
    int n = Math.min(src.length, dst.length - pos);
    System.arraycopy(src, 0, dst, pos, n);
    return pos + n;
  }

  static byte[] random(long seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  // ---------------------------------------------------------------- producers

  /** Runs {@code command} with {@code input} on stdin; returns its stdout. */
  static byte[] run(Path dir, byte[] input, String... command) {
    try {
      Path in = Files.createTempFile(dir, "in", ".bin");
      Path out = Files.createTempFile(dir, "out", ".bin");
      Files.write(in, input);
      Process p =
          new ProcessBuilder(command)
              .redirectInput(in.toFile())
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " timed out");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited with " + p.exitValue());
      }
      byte[] result = Files.readAllBytes(out);
      Files.delete(in);
      Files.delete(out);
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not run " + command[0] + " (is it installed? apt-get install " + command[0] + ")",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code gzip -c} of a named file: the header has FNAME. */
  static byte[] gzipNamed(Path dir, byte[] data, String name, String level) {
    try {
      Path file = dir.resolve(name);
      Files.write(file, data);
      byte[] out = run(dir, new byte[0], "gzip", "-c", "-N", level, file.toString());
      Files.delete(file);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Header options for a gzip member written in Java. */
  @SuppressWarnings("ArrayRecordComponent") // test data, never mutated
  record Header(byte[] extra, String name, String comment, boolean headerCrc) {
    static final Header PLAIN = new Header(null, null, null, false);
  }

  /**
   * One gzip member written in Java: the header as asked, raw deflate at {@code level} with a
   * {@code flush} (e.g. {@link Deflater#SYNC_FLUSH}) every {@code flushEvery} bytes (0: never).
   */
  static byte[] member(byte[] data, Header h, int level, int flush, int flushEvery) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int flg =
        (h.extra() != null ? 4 : 0)
            | (h.name() != null ? 8 : 0)
            | (h.comment() != null ? 16 : 0)
            | (h.headerCrc() ? 2 : 0);
    out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, (byte) flg, 1, 2, 3, 4, 0, 3});
    if (h.extra() != null) {
      out.write(h.extra().length & 0xff);
      out.write(h.extra().length >>> 8);
      out.writeBytes(h.extra());
    }
    if (h.name() != null) {
      out.writeBytes(h.name().getBytes(US_ASCII));
      out.write(0);
    }
    if (h.comment() != null) {
      out.writeBytes(h.comment().getBytes(US_ASCII));
      out.write(0);
    }
    if (h.headerCrc()) {
      CRC32 crc = new CRC32();
      crc.update(out.toByteArray());
      out.write((int) crc.getValue() & 0xff);
      out.write((int) (crc.getValue() >>> 8) & 0xff);
    }
    Deflater d = new Deflater(level, true);
    byte[] buf = new byte[64 * 1024];
    int step = flushEvery > 0 ? flushEvery : Math.max(1, data.length);
    for (int at = 0; at < data.length; at += step) {
      d.setInput(data, at, Math.min(step, data.length - at));
      int n;
      while ((n = d.deflate(buf, 0, buf.length, flushEvery > 0 ? flush : Deflater.NO_FLUSH)) > 0) {
        out.write(buf, 0, n);
      }
    }
    d.finish();
    while (!d.finished()) {
      out.write(buf, 0, d.deflate(buf));
    }
    d.end();
    CRC32 crc = new CRC32();
    crc.update(data);
    writeLe32(out, crc.getValue());
    writeLe32(out, data.length);
    return out.toByteArray();
  }

  private static void writeLe32(ByteArrayOutputStream out, long v) {
    for (int i = 0; i < 4; i++) {
      out.write((int) (v >>> (8 * i)) & 0xff);
    }
  }

  // ---------------------------------------------------------------- fixtures

  static Fixture single(String name, byte[] blob, byte[] data) {
    return new Fixture(name, blob, data, new long[] {0});
  }

  /** Concatenated members: the blobs and data of {@code parts}, in order. */
  static Fixture concat(String name, List<Fixture> parts) {
    ByteArrayOutputStream blob = new ByteArrayOutputStream();
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    List<Long> starts = new ArrayList<>();
    for (Fixture part : parts) {
      for (long s : part.memberStarts()) {
        starts.add(data.size() + s);
      }
      blob.writeBytes(part.blob());
      data.writeBytes(part.data());
    }
    return new Fixture(
        name,
        blob.toByteArray(),
        data.toByteArray(),
        starts.stream().mapToLong(Long::longValue).toArray());
  }

  static List<Fixture> all(Path dir) {
    List<Fixture> f = new ArrayList<>();
    byte[] tar = tarLike(1, 3 << 20);
    f.add(single("gzip -1", run(dir, tar, "gzip", "-c", "-1"), tar));
    f.add(single("gzip -6", run(dir, tar, "gzip", "-c", "-6"), tar));
    f.add(single("gzip -9", run(dir, tar, "gzip", "-c", "-9"), tar));
    f.add(single("gzip -N (FNAME)", gzipNamed(dir, tar, "layer.tar", "-6"), tar));
    f.add(single("pigz -p 2", run(dir, tar, "pigz", "-c", "-p", "2", "-b", "128"), tar));
    f.add(
        single(
            "pigz -i (independent blocks)",
            run(dir, tar, "pigz", "-c", "-i", "-p", "2", "-b", "32"),
            tar));
    byte[] zopfli = tarLike(2, 200_000);
    f.add(single("pigz -11 (zopfli)", run(dir, zopfli, "pigz", "-c", "-11"), zopfli));
    byte[] random = random(3, 1 << 20);
    f.add(single("random (stored blocks)", run(dir, random, "gzip", "-c", "-6"), random));
    byte[] zeros = new byte[40 << 20];
    f.add(single("40 MiB of zeros", run(dir, zeros, "gzip", "-c", "-9"), zeros));
    byte[] tiny = "hello, strata\n".getBytes(US_ASCII);
    f.add(single("tiny", run(dir, tiny, "gzip", "-c"), tiny));
    f.add(single("empty", run(dir, new byte[0], "gzip", "-c"), new byte[0]));
    byte[] small = tarLike(4, 40_000);
    f.add(single("smaller than a span", run(dir, small, "gzip", "-c"), small));

    byte[] a = tarLike(5, 700_000);
    byte[] b = random(6, 300_000);
    byte[] c = tarLike(7, 500_000);
    Fixture fa = single("a", run(dir, a, "gzip", "-c", "-1"), a);
    Fixture fb = single("b", run(dir, b, "gzip", "-c", "-6"), b);
    Fixture fc = single("c", gzipNamed(dir, c, "c.tar", "-9"), c);
    Fixture empty = single("empty", run(dir, new byte[0], "gzip", "-c"), new byte[0]);
    f.add(concat("cat a.gz empty.gz b.gz empty.gz c.gz", List.of(fa, empty, fb, empty, fc)));
    f.add(concat("cat empty.gz a.gz", List.of(empty, fa)));

    Header fancy = new Header("SKxx".getBytes(US_ASCII), "file.tar", "a comment", true);
    byte[] d = tarLike(8, 600_000);
    byte[] e = tarLike(9, 400_000);
    f.add(
        concat(
            "Java members with FEXTRA, FNAME, FCOMMENT, FHCRC",
            List.of(
                single("d", member(d, fancy, 6, Deflater.NO_FLUSH, 0), d),
                single("e", member(e, new Header(new byte[300], null, null, false), 1, 0, 0), e),
                single("f", member(small, new Header(null, null, "c", true), 9, 0, 0), small))));
    f.add(
        single(
            "Java SYNC_FLUSH every 10000 bytes",
            member(tar, Header.PLAIN, 6, Deflater.SYNC_FLUSH, 10_000),
            tar));
    f.add(
        single(
            "Java FULL_FLUSH every 70000 bytes",
            member(tar, Header.PLAIN, 4, Deflater.FULL_FLUSH, 70_000),
            tar));
    f.add(single("Java level 0 (stored)", member(tar, Header.PLAIN, 0, 0, 0), tar));
    f.add(estargzLike(dir));
    return f;
  }

  /** eStargz-like: one small member per file, each with an FEXTRA field. */
  static Fixture estargzLike(Path dir) {
    Random r = new Random(10);
    List<Fixture> members = new ArrayList<>();
    byte[] all = tarLike(11, 2 << 20);
    int pos = 0;
    while (pos < all.length) {
      int len = Math.min(all.length - pos, r.nextInt(20_000));
      byte[] part = Arrays.copyOfRange(all, pos, pos + len);
      pos += len;
      Header h = new Header(new byte[] {'S', 'G', 2, 0, 1, 2}, null, null, false);
      members.add(single("part", member(part, h, 6, 0, 0), part));
    }
    return concat("eStargz-like: " + members.size() + " members", members);
  }
}
