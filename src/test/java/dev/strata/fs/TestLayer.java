package dev.strata.fs;

import dev.strata.image.LayerEntries;
import dev.strata.index.EntryType;
import dev.strata.index.IndexEntry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds one layer by hand: its index entries in stream order and the bytes of its uncompressed
 * stream, where every file's payload is at the offset its entry records (after a 512-byte filler
 * standing for the tar header, as in a real layer).
 */
final class TestLayer {
  static final long MTIME = 1_700_000_000L;

  private final int index;
  private final List<IndexEntry> entries = new ArrayList<>();
  private final ByteArrayOutputStream stream = new ByteArrayOutputStream();

  TestLayer(int index) {
    this.index = index;
  }

  int index() {
    return index;
  }

  TestLayer dir(String path) {
    return dir(path, 0755);
  }

  TestLayer dir(String path, int mode) {
    return add(entry(path, EntryType.DIRECTORY, mode, ""));
  }

  TestLayer dir(String path, int mode, long uid, long gid, long mtime, Map<String, byte[]> xattrs) {
    return add(
        new IndexEntry(
            path, EntryType.DIRECTORY, mode, uid, gid, 0, mtime, 7, "", 0, 0, xattrs, -1));
  }

  TestLayer file(String path, String content) {
    return file(path, content.getBytes(StandardCharsets.UTF_8), 0644, 0, 0, Map.of());
  }

  TestLayer file(
      String path, byte[] content, int mode, long uid, long gid, Map<String, byte[]> xattrs) {
    stream.writeBytes(new byte[512]); // the "header"
    long offset = stream.size();
    stream.writeBytes(content);
    stream.writeBytes(new byte[(512 - content.length % 512) % 512]);
    return add(
        new IndexEntry(
            path,
            EntryType.FILE,
            mode,
            uid,
            gid,
            content.length,
            MTIME,
            123,
            "",
            0,
            0,
            xattrs,
            offset));
  }

  TestLayer symlink(String path, String target) {
    return add(entry(path, EntryType.SYMLINK, 0777, target));
  }

  TestLayer hardlink(String path, String target) {
    return add(entry(path, EntryType.HARDLINK, 0644, target));
  }

  TestLayer charDevice(String path, int major, int minor) {
    return add(
        new IndexEntry(
            path, EntryType.CHAR_DEVICE, 0620, 0, 5, 0, MTIME, 0, "", major, minor, Map.of(), -1));
  }

  TestLayer blockDevice(String path, int major, int minor) {
    return add(
        new IndexEntry(
            path, EntryType.BLOCK_DEVICE, 0660, 0, 6, 0, MTIME, 0, "", major, minor, Map.of(), -1));
  }

  TestLayer fifo(String path) {
    return add(entry(path, EntryType.FIFO, 0600, ""));
  }

  /** {@code .wh.NAME} next to NAME. */
  TestLayer whiteout(String path) {
    int slash = path.lastIndexOf('/');
    return file(path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1), "");
  }

  /** {@code .wh..wh..opq} in {@code dir} ({@code ""} for the root). */
  TestLayer opaque(String dir) {
    return file(dir.isEmpty() ? ".wh..wh..opq" : dir + "/.wh..wh..opq", "");
  }

  TestLayer add(IndexEntry e) {
    entries.add(e);
    return this;
  }

  LayerEntries entries() {
    return new LayerEntries(index, "layer" + index, entries);
  }

  byte[] bytes() {
    return stream.toByteArray();
  }

  private static IndexEntry entry(String path, EntryType type, int mode, String link) {
    return new IndexEntry(path, type, mode, 0, 0, 0, MTIME, 0, link, 0, 0, Map.of(), -1);
  }
}
