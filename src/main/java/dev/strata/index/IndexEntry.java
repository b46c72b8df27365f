package dev.strata.index;

import java.util.Map;
import java.util.TreeMap;

/**
 * One tar entry of a layer, as the index records it.
 *
 * @param path normalized path relative to the root: no leading {@code /}, no {@code .} or {@code
 *     ..} components, no trailing {@code /}; the root itself is {@code ""}
 * @param mode permission bits including setuid, setgid and sticky ({@code 07777})
 * @param size payload length for regular files, else 0
 * @param mtimeSeconds modification time, seconds since the epoch
 * @param mtimeNanos nanoseconds within that second (PAX headers carry them)
 * @param linkTarget a symlink's target as stored; a hardlink's target as a normalized path; else
 *     {@code ""}
 * @param xattrs extended attributes from PAX {@code SCHILY.xattr.*} records
 * @param payloadOffset where the payload starts in the layer's uncompressed tar stream; -1 when the
 *     entry has no payload
 */
public record IndexEntry(
    String path,
    EntryType type,
    int mode,
    long uid,
    long gid,
    long size,
    long mtimeSeconds,
    int mtimeNanos,
    String linkTarget,
    int devMajor,
    int devMinor,
    Map<String, byte[]> xattrs,
    long payloadOffset) {

  public IndexEntry {
    xattrs = java.util.Collections.unmodifiableMap(new TreeMap<>(xattrs));
    if (type != EntryType.FILE && size != 0) {
      throw new IllegalArgumentException(type + " entry " + path + " with a payload");
    }
  }

  /** The last path component ({@code ""} for the root). */
  public String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The parent directory's path ({@code ""} for top-level entries and the root). */
  public String parent() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  public IndexEntry withPath(String newPath) {
    return new IndexEntry(
        newPath,
        type,
        mode,
        uid,
        gid,
        size,
        mtimeSeconds,
        mtimeNanos,
        linkTarget,
        devMajor,
        devMinor,
        xattrs,
        payloadOffset);
  }
}
