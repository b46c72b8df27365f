package dev.strata.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Builds a layer tar with Commons Compress (PAX format: long and non-ASCII names, big ids, xattrs
 * as {@code SCHILY.xattr.*}). Names are written as given, so tests choose {@code ./}-prefixed or
 * bare names; directories get their trailing {@code /}.
 */
final class TarLayer {
  /** Default mtime of entries: 2024-01-02T03:04:05Z. */
  static final long DEFAULT_MTIME = 1704164645L;

  /** Metadata of one entry; fluent, copied by the builder methods. */
  static final class Meta {
    int mode = -1;
    long uid;
    long gid;
    long mtime = DEFAULT_MTIME;
    final Map<String, String> xattrs = new LinkedHashMap<>();

    Meta mode(int m) {
      mode = m;
      return this;
    }

    Meta owner(long u, long g) {
      uid = u;
      gid = g;
      return this;
    }

    Meta mtime(long seconds) {
      mtime = seconds;
      return this;
    }

    Meta xattr(String name, String value) {
      xattrs.put(name, value);
      return this;
    }
  }

  static Meta meta() {
    return new Meta();
  }

  private static final class Item {
    final TarArchiveEntry entry;
    final byte[] content;

    Item(TarArchiveEntry entry, byte[] content) {
      this.entry = entry;
      this.content = content;
    }
  }

  private final List<Item> items = new ArrayList<>();

  TarLayer dir(String name) {
    return dir(name, meta());
  }

  TarLayer dir(String name, Meta meta) {
    String n = name.endsWith("/") ? name : name + "/";
    return add(new TarArchiveEntry(n, TarConstants.LF_DIR), 040000, 0755, meta, null);
  }

  TarLayer file(String name, String content) {
    return file(name, content, meta());
  }

  TarLayer file(String name, String content, Meta meta) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
    e.setSize(bytes.length);
    return add(e, 0100000, 0644, meta, bytes);
  }

  TarLayer symlink(String name, String target) {
    return symlink(name, target, meta());
  }

  TarLayer symlink(String name, String target, Meta meta) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
    e.setLinkName(target);
    return add(e, 0120000, 0777, meta, null);
  }

  TarLayer hardlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
    e.setLinkName(target);
    return add(e, 0100000, 0644, meta(), null);
  }

  TarLayer charDevice(String name, int major, int minor, Meta meta) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_CHR);
    e.setDevMajor(major);
    e.setDevMinor(minor);
    return add(e, 020000, 0666, meta, null);
  }

  TarLayer blockDevice(String name, int major, int minor, Meta meta) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_BLK);
    e.setDevMajor(major);
    e.setDevMinor(minor);
    return add(e, 060000, 0660, meta, null);
  }

  TarLayer fifo(String name, Meta meta) {
    return add(new TarArchiveEntry(name, TarConstants.LF_FIFO), 010000, 0644, meta, null);
  }

  /** {@code DIR/.wh.NAME} for {@code path} = {@code DIR/NAME}. */
  TarLayer whiteout(String path) {
    int slash = path.lastIndexOf('/');
    String dir = slash < 0 ? "" : path.substring(0, slash + 1);
    return file(dir + Whiteouts.PREFIX + path.substring(slash + 1), "");
  }

  /** {@code DIR/.wh..wh..opq}. */
  TarLayer opaque(String dir) {
    return file(dir.isEmpty() ? Whiteouts.OPAQUE : dir + "/" + Whiteouts.OPAQUE, "");
  }

  private TarLayer add(TarArchiveEntry e, int typeBits, int defaultMode, Meta m, byte[] content) {
    e.setMode(typeBits | (m.mode >= 0 ? m.mode : defaultMode));
    e.setUserId(m.uid);
    e.setGroupId(m.gid);
    e.setUserName("");
    e.setGroupName("");
    e.setModTime(FileTime.from(Instant.ofEpochSecond(m.mtime)));
    m.xattrs.forEach((k, v) -> e.addPaxHeader("SCHILY.xattr." + k, v));
    items.add(new Item(e, content));
    return this;
  }

  Path write(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setAddPaxHeadersForNonAsciiNames(true);
      for (Item item : items) {
        tar.putArchiveEntry(item.entry);
        if (item.content != null) {
          tar.write(item.content);
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    }
    return file;
  }
}
