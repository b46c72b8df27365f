package dev.strata.image;

import dev.strata.index.EntryType;
import java.util.Map;

/**
 * One file of the merged image, as the runtime sees it.
 *
 * <p>Hardlinks are resolved: a node is never of type {@link EntryType#HARDLINK}; nodes that are
 * links of one another carry the same {@link #inode}, the same metadata and content location (they
 * share an inode, as on a real filesystem), and {@link #nlink} counts them.
 *
 * @param path normalized path from the root, {@code ""} for the root
 * @param type {@link EntryType#FILE}, {@link EntryType#DIRECTORY}, {@link EntryType#SYMLINK},
 *     {@link EntryType#CHAR_DEVICE}, {@link EntryType#BLOCK_DEVICE} or {@link EntryType#FIFO}
 * @param mode permission bits including setuid, setgid and sticky ({@code 07777}); always {@code
 *     0777} for symlinks, as Linux shows them
 * @param size regular files: payload length; symlinks: length of the target in UTF-8 bytes (what
 *     {@code lstat} reports); others: 0
 * @param mtimeSeconds modification time, seconds since the epoch
 * @param mtimeNanos nanoseconds within that second
 * @param linkTarget a symlink's target exactly as the layer stored it (absolute or relative, never
 *     resolved by strata); else {@code ""}
 * @param xattrs extended attributes (unmodifiable)
 * @param nlink link count: for directories 2 + the number of subdirectories, else the number of
 *     nodes sharing this node's inode
 * @param inode a number unique to this node's inode, stable for the same image: the root is 1 and
 *     the others are numbered breadth first with siblings in name order; hardlinked nodes share one
 * @param layerIndex the {@link LayerEntries#layerIndex()} of the layer whose entry gave this node
 *     its content and metadata (for a hardlink, the layer of its target; for an implicitly created
 *     directory, the layer that needed it; -1 for a root no layer has an entry for)
 * @param payloadOffset regular files: where the content starts in layer {@code layerIndex}'s
 *     uncompressed tar stream ({@code size} bytes from there); else -1
 */
public record Node(
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
    int nlink,
    long inode,
    int layerIndex,
    long payloadOffset) {

  /** {@code S_IFMT} bits of {@link #stMode()}. */
  public static final int S_IFMT = 0170000;

  /** The last path component ({@code ""} for the root). */
  public String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The parent directory's path; {@code ""} for top-level nodes and for the root itself. */
  public String parentPath() {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  public boolean isRoot() {
    return path.isEmpty();
  }

  public boolean isDirectory() {
    return type == EntryType.DIRECTORY;
  }

  public boolean isRegularFile() {
    return type == EntryType.FILE;
  }

  public boolean isSymlink() {
    return type == EntryType.SYMLINK;
  }

  /**
   * {@code st_mode}: the file type bits ({@code S_IFREG}, {@code S_IFDIR}, ...) and {@link #mode}.
   */
  public int stMode() {
    int format =
        switch (type) {
          case FILE -> 0100000;
          case DIRECTORY -> 0040000;
          case SYMLINK -> 0120000;
          case CHAR_DEVICE -> 0020000;
          case BLOCK_DEVICE -> 0060000;
          case FIFO -> 0010000;
          case HARDLINK -> throw new IllegalStateException("unresolved hardlink node " + path);
        };
    return format | mode;
  }

  /** {@code st_rdev} in the Linux (glibc {@code makedev}) encoding; 0 for non-devices. */
  public long rdev() {
    if (type != EntryType.CHAR_DEVICE && type != EntryType.BLOCK_DEVICE) {
      return 0;
    }
    long major = devMajor & 0xffffffffL;
    long minor = devMinor & 0xffffffffL;
    return ((major & 0xfffL) << 8)
        | ((major & ~0xfffL) << 32)
        | (minor & 0xffL)
        | ((minor & ~0xffL) << 12);
  }
}
