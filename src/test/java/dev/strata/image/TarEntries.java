package dev.strata.image;

import dev.strata.index.EntryPaths;
import dev.strata.index.EntryType;
import dev.strata.index.IndexEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarFile;

/** Test-only tar to {@link IndexEntry} reader, standing in for the layer indexer. */
final class TarEntries {
  private static final String XATTR = "SCHILY.xattr.";

  private TarEntries() {}

  static List<IndexEntry> read(Path tar) throws IOException {
    List<IndexEntry> out = new ArrayList<>();
    try (TarFile file = new TarFile(tar)) {
      for (TarArchiveEntry e : file.getEntries()) {
        out.add(toIndexEntry(e));
      }
    }
    return out;
  }

  static LayerEntries layer(int index, Path tar) throws IOException {
    return new LayerEntries(index, "layer-" + index + ":" + tar.getFileName(), read(tar));
  }

  private static IndexEntry toIndexEntry(TarArchiveEntry e) {
    EntryType type;
    if (e.isSymbolicLink()) {
      type = EntryType.SYMLINK;
    } else if (e.isLink()) {
      type = EntryType.HARDLINK;
    } else if (e.isDirectory()) {
      type = EntryType.DIRECTORY;
    } else if (e.isCharacterDevice()) {
      type = EntryType.CHAR_DEVICE;
    } else if (e.isBlockDevice()) {
      type = EntryType.BLOCK_DEVICE;
    } else if (e.isFIFO()) {
      type = EntryType.FIFO;
    } else if (e.isFile()) {
      type = EntryType.FILE;
    } else {
      throw new IllegalArgumentException("unexpected tar entry " + e.getName());
    }
    Map<String, byte[]> xattrs = new TreeMap<>();
    e.getExtraPaxHeaders()
        .forEach(
            (k, v) -> {
              if (k.startsWith(XATTR)) {
                xattrs.put(k.substring(XATTR.length()), v.getBytes(StandardCharsets.UTF_8));
              }
            });
    FileTime mtime = e.getLastModifiedTime();
    Instant instant = mtime.toInstant();
    String link =
        switch (type) {
          case SYMLINK -> e.getLinkName();
          case HARDLINK -> EntryPaths.normalizeHardlinkTarget(e.getLinkName());
          default -> "";
        };
    return new IndexEntry(
        EntryPaths.normalize(e.getName()),
        type,
        e.getMode() & 07777,
        e.getLongUserId(),
        e.getLongGroupId(),
        type == EntryType.FILE ? e.getSize() : 0,
        instant.getEpochSecond(),
        instant.getNano(),
        link,
        e.getDevMajor(),
        e.getDevMinor(),
        xattrs,
        type == EntryType.FILE ? e.getDataOffset() : -1);
  }
}
