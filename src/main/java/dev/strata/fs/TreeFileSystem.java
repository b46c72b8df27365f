package dev.strata.fs;

import dev.strata.image.Node;
import dev.strata.index.EntryType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the merged and the per-layer filesystems share: every call finds a {@link Node} by its FUSE
 * path ({@link #find}) and answers from it. A regular node's bytes are {@code node.size()} bytes of
 * layer {@code node.layerIndex()}'s uncompressed tar stream from {@code node.payloadOffset()}.
 */
abstract sealed class TreeFileSystem implements ReadOnlyFileSystem
    permits ImageFileSystem, LayerFileSystem {
  private static final Logger log = LoggerFactory.getLogger(TreeFileSystem.class);

  static final int O_ACCMODE = 03;
  static final int O_CREAT = 0100;
  static final int O_TRUNC = 01000;
  static final int O_APPEND = 02000;

  private final ContentSource content;

  /**
   * FUSE paths whose last read failed: the first failure is logged as a warning, the retries that
   * follow only at debug level, until a read of the path succeeds again.
   */
  private final Set<String> failing = ConcurrentHashMap.newKeySet();

  TreeFileSystem(ContentSource content) {
    this.content = Objects.requireNonNull(content, "content");
  }

  /** The node at FUSE path {@code path} ({@code "/"}, {@code "/a/b"}); null if none. */
  abstract Node find(String path);

  /** The entries of directory {@code dir}, which {@link #find} gave for {@code path}. */
  abstract List<DirEntry> entries(String path, Node dir);

  /** {@code kids} as directory entries. */
  static List<DirEntry> toEntries(List<Node> kids) {
    DirEntry[] entries = new DirEntry[kids.size()];
    for (int i = 0; i < entries.length; i++) {
      Node kid = kids.get(i);
      entries[i] = new DirEntry(kid.name(), attributes(kid));
    }
    return List.of(entries);
  }

  final Node node(String path) throws FsException {
    Node node = find(path);
    if (node == null) {
      throw new FsException(Errno.ENOENT, "no such file: " + path);
    }
    return node;
  }

  static Attributes attributes(Node node) {
    return new Attributes(
        node.inode(),
        node.stMode(),
        node.nlink(),
        node.uid(),
        node.gid(),
        node.size(),
        node.rdev(),
        node.mtimeSeconds(),
        node.mtimeNanos());
  }

  @Override
  public final Attributes getattr(String path) throws FsException {
    return attributes(node(path));
  }

  @Override
  public final String readlink(String path) throws FsException {
    Node node = node(path);
    if (node.type() != EntryType.SYMLINK) {
      throw new FsException(Errno.EINVAL, "not a symlink: " + path);
    }
    return node.linkTarget();
  }

  @Override
  public final List<DirEntry> readdir(String path) throws FsException {
    Node dir = node(path);
    if (!dir.isDirectory()) {
      throw new FsException(Errno.ENOTDIR, "not a directory: " + path);
    }
    return entries(path, dir);
  }

  @Override
  public final void open(String path, int flags) throws FsException {
    Node node = find(path);
    if (node == null) {
      throw new FsException(
          (flags & O_CREAT) != 0 ? Errno.EROFS : Errno.ENOENT, "no such file: " + path);
    }
    if (node.isDirectory()) {
      throw new FsException(Errno.EISDIR, "is a directory: " + path);
    }
    if ((flags & O_ACCMODE) != 0 || (flags & (O_CREAT | O_TRUNC | O_APPEND)) != 0) {
      throw new FsException(Errno.EROFS, "read-only file system: " + path);
    }
  }

  @Override
  public final int read(String path, byte[] buffer, long offset, int size) throws FsException {
    Node node = node(path);
    if (node.type() != EntryType.FILE) {
      throw new FsException(
          node.isDirectory() ? Errno.EISDIR : Errno.EINVAL, "not a regular file: " + path);
    }
    if (offset < 0 || size < 0) {
      throw new FsException(Errno.EINVAL, "negative offset or size: " + path);
    }
    long remaining = node.size() - offset;
    if (remaining <= 0 || size == 0) {
      return 0;
    }
    int n = (int) Math.min(Math.min(size, buffer.length), remaining);
    try {
      long extentEnd = node.payloadOffset() + node.size();
      content.read(node.layerIndex(), node.payloadOffset() + offset, buffer, 0, n, extentEnd);
    } catch (IOException | UncheckedIOException e) {
      readFailed(path, node, offset, n, e);
    }
    if (!failing.isEmpty()) {
      failing.remove(path);
    }
    return n;
  }

  private void readFailed(String path, Node node, long offset, int n, Exception e)
      throws FsException {
    if (failing.add(path)) {
      log.warn(
          "read of {} failed (layer {}, {} bytes at file offset {}); answering EIO until a read"
              + " of it succeeds: {}",
          path,
          node.layerIndex(),
          n,
          offset,
          reason(e));
      log.debug("read of {} failed", path, e);
    } else {
      log.debug("read of {} failed again: {}", path, reason(e));
    }
    throw new FsException(Errno.EIO, "read of " + path + " failed: " + reason(e));
  }

  /** The exception's message and its causes', without stack traces. */
  private static String reason(Throwable e) {
    StringBuilder sb = new StringBuilder(e.toString());
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      sb.append("; caused by ").append(c);
      if (sb.length() > 2000) {
        break;
      }
    }
    return sb.toString();
  }

  @Override
  public final byte[] getxattr(String path, String name) throws FsException {
    byte[] value = node(path).xattrs().get(name);
    if (value == null) {
      throw new FsException(Errno.ENODATA, "no attribute " + name + ": " + path);
    }
    return value.clone();
  }

  @Override
  public final List<String> listxattr(String path) throws FsException {
    Map<String, byte[]> xattrs = node(path).xattrs();
    return xattrs.isEmpty() ? List.of() : List.copyOf(xattrs.keySet());
  }

  /** Block size {@link #statfs} reports. */
  static final long BLOCK_SIZE = 4096;

  /** The statfs answer for {@code fileBytes} in regular files and {@code files} nodes. */
  static StatFs statFs(long fileBytes, long files) {
    return new StatFs(BLOCK_SIZE, (fileBytes + BLOCK_SIZE - 1) / BLOCK_SIZE, files, 255);
  }
}
