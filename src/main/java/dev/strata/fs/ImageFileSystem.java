package dev.strata.fs;

import dev.strata.image.ImageTree;
import dev.strata.image.Node;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The merged image as a read-only filesystem: FUSE path {@code "/"} is the tree's root ({@code
 * ""}), {@code "/a/b"} the node {@code "a/b"}. Attributes are the {@link Node}'s ({@code st_mode} =
 * {@link Node#stMode()}, inode numbers as the tree numbers them, hardlinks share one); a regular
 * file's bytes are read from the {@link ContentSource} at {@code (node.layerIndex(),
 * node.payloadOffset() + offset)}.
 *
 * <p>Path lookups are one hash probe over the path's characters (no allocation, no per-component
 * walk); getattr allocates only its {@link ReadOnlyFileSystem.Attributes}. Immutable and
 * thread-safe.
 *
 * <p>Errors: a missing path is ENOENT (EROFS for an open with {@code O_CREAT}); readdir of a
 * non-directory ENOTDIR; readlink of a non-symlink EINVAL; open of a directory EISDIR, with a write
 * access mode or {@code O_CREAT}/{@code O_TRUNC}/{@code O_APPEND} EROFS; read of a directory
 * EISDIR, of another non-regular file EINVAL; a read the content source cannot serve EIO (logged
 * once per path until a read of it succeeds again); an absent extended attribute ENODATA.
 */
public final class ImageFileSystem extends TreeFileSystem {
  private final NodeTable nodes;
  private final StatFs statFs;

  public ImageFileSystem(ImageTree tree, ContentSource content) {
    super(content);
    this.nodes = NodeTable.of(tree);
    this.statFs = statFs(regularFileBytes(tree), tree.size());
  }

  @Override
  Node find(String path) {
    if (path.isEmpty() || path.charAt(0) != '/') {
      return null;
    }
    return nodes.get(path, 1);
  }

  @Override
  List<DirEntry> entries(String path, Node dir) {
    return toEntries(nodes.children(dir));
  }

  /**
   * Block size 4096; blocks: the regular files' bytes (each hardlinked inode once) in 4096-byte
   * blocks, rounded up; files: the number of nodes; names up to 255 bytes.
   */
  @Override
  public StatFs statfs() {
    return statFs;
  }

  /** The bytes of the tree's regular files, counting each hardlinked inode once. */
  static long regularFileBytes(ImageTree tree) {
    Set<Long> linked = new HashSet<>();
    long[] total = {0};
    tree.walk()
        .forEach(
            node -> {
              if (node.isRegularFile() && (node.nlink() == 1 || linked.add(node.inode()))) {
                total[0] += node.size();
              }
            });
    return total[0];
  }
}
