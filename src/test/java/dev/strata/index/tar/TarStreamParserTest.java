package dev.strata.index.tar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.index.EntryType;
import dev.strata.index.IndexEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarStreamParserTest {
  @TempDir Path dir;

  /** Parses with chunks of varying sizes so every state boundary is crossed. */
  static List<IndexEntry> parse(byte[] tar, long seed) throws IOException {
    List<IndexEntry> entries = new ArrayList<>();
    TarStreamParser parser = new TarStreamParser(entries::add);
    Random random = new Random(seed);
    int i = 0;
    while (i < tar.length) {
      int n = Math.min(tar.length - i, 1 + random.nextInt(random.nextBoolean() ? 7 : 5000));
      parser.feed(tar, i, n);
      i += n;
    }
    assertThat(parser.ended()).isTrue();
    assertThat(parser.position()).isEqualTo(tar.length);
    return entries;
  }

  private static byte[] everyKind() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      TarArchiveEntry d = new TarArchiveEntry("etc/", TarConstants.LF_DIR);
      d.setMode(040755);
      tar.putArchiveEntry(d);
      tar.closeArchiveEntry();
      byte[] content = "root:x:0:0::/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8);
      TarArchiveEntry f = new TarArchiveEntry("./etc/passwd");
      f.setSize(content.length);
      f.setMode(0100644);
      f.setIds(0, 0);
      f.setModTime(1_700_000_000_000L);
      tar.putArchiveEntry(f);
      tar.write(content);
      tar.closeArchiveEntry();
      byte[] big = new byte[70_000];
      new Random(3).nextBytes(big);
      TarArchiveEntry setuid = new TarArchiveEntry("usr/bin/sudo");
      setuid.setSize(big.length);
      setuid.setMode(0104755);
      setuid.setIds(0, 0);
      setuid.addPaxHeader("SCHILY.xattr.user.note", "hello");
      tar.putArchiveEntry(setuid);
      tar.write(big);
      tar.closeArchiveEntry();
      TarArchiveEntry sym = new TarArchiveEntry("bin", TarConstants.LF_SYMLINK);
      sym.setLinkName("usr/bin");
      tar.putArchiveEntry(sym);
      tar.closeArchiveEntry();
      TarArchiveEntry hard = new TarArchiveEntry("usr/bin/sudoedit", TarConstants.LF_LINK);
      hard.setLinkName("usr/bin/sudo");
      tar.putArchiveEntry(hard);
      tar.closeArchiveEntry();
      TarArchiveEntry chr = new TarArchiveEntry("dev/null", TarConstants.LF_CHR);
      chr.setDevMajor(1);
      chr.setDevMinor(3);
      chr.setMode(020666);
      tar.putArchiveEntry(chr);
      tar.closeArchiveEntry();
      TarArchiveEntry blk = new TarArchiveEntry("dev/sda", TarConstants.LF_BLK);
      blk.setDevMajor(8);
      blk.setDevMinor(0);
      tar.putArchiveEntry(blk);
      tar.closeArchiveEntry();
      TarArchiveEntry fifo = new TarArchiveEntry("run/pipe", TarConstants.LF_FIFO);
      tar.putArchiveEntry(fifo);
      tar.closeArchiveEntry();
      String longName = "opt/" + "very-long-directory-name/".repeat(8) + "ünïcødé-файл.txt";
      TarArchiveEntry lng = new TarArchiveEntry(longName);
      lng.setSize(3);
      lng.setUserId(3_000_000); // needs PAX
      lng.setModTime(1_700_000_000_123L);
      tar.putArchiveEntry(lng);
      tar.write(new byte[] {1, 2, 3});
      tar.closeArchiveEntry();
      TarArchiveEntry sticky = new TarArchiveEntry("tmp/", TarConstants.LF_DIR);
      sticky.setMode(041777);
      tar.putArchiveEntry(sticky);
      tar.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  @Test
  void agreesWithCommonsCompressOnEveryEntryKindAndPayloadOffsets() throws IOException {
    byte[] tar = everyKind();
    List<IndexEntry> ours = parse(tar, 1);
    List<TarArchiveEntry> theirs = new ArrayList<>();
    List<byte[]> payloads = new ArrayList<>();
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new java.io.ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        theirs.add(e);
        payloads.add(in.readAllBytes());
      }
    }
    assertThat(ours).hasSameSizeAs(theirs);
    for (int i = 0; i < ours.size(); i++) {
      IndexEntry a = ours.get(i);
      TarArchiveEntry b = theirs.get(i);
      assertThat(a.path()).isEqualTo(dev.strata.index.EntryPaths.normalize(b.getName()));
      assertThat(a.mode()).isEqualTo(b.getMode() & 07777);
      assertThat(a.uid()).isEqualTo(b.getLongUserId());
      assertThat(a.mtimeSeconds()).isEqualTo(b.getLastModifiedTime().toInstant().getEpochSecond());
      if (a.type() == EntryType.FILE) {
        assertThat(a.size()).isEqualTo(b.getSize());
        byte[] payload =
            Arrays.copyOfRange(tar, (int) a.payloadOffset(), (int) (a.payloadOffset() + a.size()));
        assertThat(payload).isEqualTo(payloads.get(i));
      }
    }
    assertThat(ours)
        .extracting(IndexEntry::type)
        .containsExactly(
            EntryType.DIRECTORY,
            EntryType.FILE,
            EntryType.FILE,
            EntryType.SYMLINK,
            EntryType.HARDLINK,
            EntryType.CHAR_DEVICE,
            EntryType.BLOCK_DEVICE,
            EntryType.FIFO,
            EntryType.FILE,
            EntryType.DIRECTORY);
    IndexEntry sudo = ours.get(2);
    assertThat(sudo.mode()).isEqualTo(04755);
    assertThat(new String(sudo.xattrs().get("user.note"), StandardCharsets.UTF_8))
        .isEqualTo("hello");
    assertThat(ours.get(3).linkTarget()).isEqualTo("usr/bin");
    assertThat(ours.get(4).linkTarget()).isEqualTo("usr/bin/sudo");
    assertThat(ours.get(5).devMajor()).isEqualTo(1);
    assertThat(ours.get(5).devMinor()).isEqualTo(3);
    assertThat(ours.get(8).path()).endsWith("ünïcødé-файл.txt").hasSizeGreaterThan(200);
    assertThat(ours.get(8).uid()).isEqualTo(3_000_000);
    assertThat(ours.get(8).mtimeNanos()).isEqualTo(123_000_000);
    assertThat(ours.get(9).mode()).isEqualTo(01777);
  }

  @Test
  void keepsBinaryXattrsByteForByte() throws Exception {
    // GNU tar writes SCHILY.xattr records with the raw attribute bytes.
    Path root = Files.createDirectories(dir.resolve("root"));
    Path file = Files.writeString(root.resolve("ping"), "x");
    byte[] capability = {1, 0, 0, 2, (byte) 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    Process setfattr =
        new ProcessBuilder(
                "python3",
                "-c",
                "import os,sys; os.setxattr(sys.argv[1], 'user.bin', bytes.fromhex(sys.argv[2]))",
                file.toString(),
                java.util.HexFormat.of().formatHex(capability))
            .inheritIO()
            .start();
    assertThat(setfattr.waitFor()).isZero();
    Path tarFile = dir.resolve("x.tar");
    Process tar =
        new ProcessBuilder(
                "tar",
                "--xattrs",
                "--xattrs-include=*",
                "--format=posix",
                "-cf",
                tarFile.toString(),
                "-C",
                root.toString(),
                "ping")
            .inheritIO()
            .start();
    assertThat(tar.waitFor()).isZero();
    List<IndexEntry> entries = parse(Files.readAllBytes(tarFile), 2);
    assertThat(entries)
        .singleElement()
        .satisfies(e -> assertThat(e.xattrs().get("user.bin")).isEqualTo(capability));
  }

  @Test
  void rejectsHostileAndMalformedHeadersClearly() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      TarArchiveEntry evil = new TarArchiveEntry("../../etc/shadow");
      evil.setSize(0);
      tar.putArchiveEntry(evil);
      tar.closeArchiveEntry();
    }
    assertThatThrownBy(() -> parse(bytes.toByteArray(), 3))
        .isInstanceOf(TarFormatException.class)
        .hasMessageContaining("../../etc/shadow")
        .hasMessageContaining("escapes the root");

    byte[] corrupt = everyKind();
    corrupt[10] ^= 0x55; // inside the first header's name: checksum no longer matches
    assertThatThrownBy(() -> parse(corrupt, 4)).hasMessageContaining("checksum mismatch");

    byte[] garbage = new byte[1024];
    new Random(5).nextBytes(garbage);
    assertThatThrownBy(() -> parse(garbage, 6)).isInstanceOf(TarFormatException.class);
  }

  @Test
  void acceptsALayerEndingRightAfterItsLastPayloadButNotInsideIt() throws IOException {
    // Go's archive/tar (umoci) can end a layer without padding or end marker.
    byte[] whole = everyKind();
    TarStreamParser parser = new TarStreamParser(e -> {});
    // the end of the last payload-carrying entry (the long-named 3-byte file)
    IndexEntry file = parse(whole, 9).stream().filter(e -> e.size() == 3).findFirst().orElseThrow();
    int end = (int) (file.payloadOffset() + file.size());
    parser.feed(whole, 0, end);
    parser.finish(); // the payload is whole; only its padding and the rest are missing
    TarStreamParser inside = new TarStreamParser(e -> {});
    inside.feed(whole, 0, end - 1);
    assertThatThrownBy(inside::finish).hasMessageContaining("truncated tar");
    TarStreamParser inHeader = new TarStreamParser(e -> {});
    inHeader.feed(whole, 0, 100);
    assertThatThrownBy(inHeader::finish).hasMessageContaining("truncated tar");
  }

  @Test
  void boundsExtendedHeaders() {
    byte[] header = new byte[512];
    byte[] name = "././@PaxHeader".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(name, 0, header, 0, name.length);
    writeOctal(header, 100, 8, 0644);
    writeOctal(header, 124, 12, 1L << 30); // a 1 GiB PAX header
    header[156] = 'x';
    byte[] magic = "ustar\0".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(magic, 0, header, 257, 6);
    header[263] = '0';
    header[264] = '0';
    Arrays.fill(header, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    writeOctal(header, 148, 7, sum);
    TarStreamParser parser = new TarStreamParser(e -> {});
    assertThatThrownBy(() -> parser.feed(header, 0, header.length))
        .hasMessageContaining("extended header of 1073741824 bytes");
  }

  private static void writeOctal(byte[] header, int offset, int length, long value) {
    String text = String.format("%0" + (length - 1) + "o", value);
    byte[] digits = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(digits, 0, header, offset, digits.length);
    header[offset + length - 1] = 0;
  }
}
