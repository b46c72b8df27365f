package dev.strata.fs;

import dev.strata.image.ImageTree;
import dev.strata.image.InvalidLayerException;
import dev.strata.image.LayerEntries;
import dev.strata.image.Node;
import dev.strata.index.EntryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The {@code --layers} mode: every layer of the image as its own directory, ready to be stacked by
 * the kernel's overlayfs, which then does the merge:
 *
 * <pre>
 * mount -t overlay overlay -o lowerdir=M/2:M/1:M/0 target   # upper layers first
 * </pre>
 *
 * shows the same tree as {@link ImageFileSystem} over the merged {@link ImageTree} (see {@link
 * #overlayLowerDirs}).
 *
 * <p>The root holds one directory per layer, named by the layer's position in the list given to the
 * constructor, in decimal without padding: {@code 0} is the bottom layer, {@code 1} the next, and
 * so on (for an image, the manifest's layer order). The root is mode 0755, owner 0:0, mtime 0.
 *
 * <p>Each layer directory is what containerd's overlayfs snapshotter leaves on disk after applying
 * that layer over the ones below it: the layer's own entries, not merged with the others, as a
 * lower directory of overlayfs must hold them:
 *
 * <ul>
 *   <li>A whiteout {@code .wh.NAME} is shown as NAME, a character device 0/0 with permission bits
 *       0, owner 0:0, when it hides something of the layers below; a whiteout that hides nothing is
 *       dropped (overlayfs lists the whiteouts of a directory no other layer has, as devices).
 *   <li>An opaque directory (one holding {@code .wh..wh..opq}) is shown without the marker and with
 *       the extended attribute {@code trusted.overlay.opaque = y}; so is a directory the layer both
 *       whites out and creates again, or replaces by a non-directory and then creates again.
 *       overlayfs ignores the flag on a layer's root, so for a root-level marker the names the
 *       layers below show at the root are whited out instead and the layer's own top-level
 *       directories are opaque. Other names starting {@code .wh..wh.} (AUFS metadata, {@code
 *       .wh..wh.plnk}) are hidden. {@code trusted.overlay.*} attributes an image itself carries are
 *       not shown (overlayfs would take them as its own).
 *   <li>Hardlinks within the layer share an inode and content. A hardlink to a file of a lower
 *       layer (OCI allows it) copies that file up first, as applying the layer on overlayfs does:
 *       the target path appears in this layer too, with the lower file's metadata and content (read
 *       from the lower layer), and the two share an inode with link count 2. (Where the layer puts
 *       entries under the target's path, making it a directory, the link alone is such a copy.)
 *   <li>A directory the layer needs but has no entry for (a parent of its entries) has the metadata
 *       of the directory at that path in the layers below, as overlayfs copy-up creates it; where
 *       there is none (or this layer's whiteouts removed it), mode 0755, owner 0:0, mtime 0. A
 *       layer directory without a root entry likewise shows the lower layers' root metadata.
 * </ul>
 *
 * <p>Inode numbers are unique across the mount: 1 is the root, and each layer's nodes are numbered
 * as {@link ImageTree} numbers them, offset by the node counts of the layers below it (layer 0's
 * directory is inode 2). Reads go to the {@link ContentSource} with the layer the bytes are in.
 *
 * <p>Limits: a genuine character device 0/0 in an image is indistinguishable from a whiteout for
 * overlayfs. Paths through a lower layer's symlink, which {@link ImageTree#merge} refuses, are
 * accepted here (overlayfs never writes through them).
 */
public final class LayerFileSystem extends TreeFileSystem {
  /** The extended attribute that makes a lower directory opaque to overlayfs. */
  public static final String OPAQUE_XATTR = LayerViews.OPAQUE_XATTR;

  private static final int ROOT_MODE = 0755;
  private static final int MAX_DIGITS = 9;

  private final Node root;
  private final NodeTable[] views;
  private final List<DirEntry> rootEntries;
  private final StatFs statFs;

  /**
   * The per-layer view of {@code layers}, bottom layer first (as for {@link ImageTree#merge}),
   * reading file bytes from {@code content}.
   *
   * @throws InvalidLayerException if a layer's entries cannot be applied
   */
  public LayerFileSystem(List<LayerEntries> layers, ContentSource content)
      throws InvalidLayerException {
    this(LayerViews.build(layers), content);
  }

  private LayerFileSystem(LayerViews.Result built, ContentSource content) {
    super(content);
    this.views = built.views().toArray(new NodeTable[0]);
    this.root =
        new Node(
            "",
            EntryType.DIRECTORY,
            ROOT_MODE,
            0,
            0,
            0,
            0,
            0,
            "",
            0,
            0,
            Map.of(),
            2 + views.length,
            1,
            -1,
            -1);
    List<DirEntry> entries = new ArrayList<>(views.length);
    for (int i = 0; i < views.length; i++) {
      entries.add(new DirEntry(layerDirectoryName(i), attributes(views[i].root())));
    }
    this.rootEntries = List.copyOf(entries);
    this.statFs = statFs(built.fileBytes(), built.nodes() + 1);
  }

  /** The name of the directory of the layer at {@code position} (0 = bottom): {@code "0"}, ... */
  public static String layerDirectoryName(int position) {
    return Integer.toString(position);
  }

  /** The number of layer directories. */
  public int layerCount() {
    return views.length;
  }

  /**
   * overlayfs's {@code lowerdir} option for this filesystem mounted at {@code mountPoint}: the
   * layer directories, top layer first, separated by {@code :}.
   */
  public String overlayLowerDirs(String mountPoint) {
    String base = mountPoint.endsWith("/") ? mountPoint : mountPoint + "/";
    StringJoiner joiner = new StringJoiner(":");
    for (int i = views.length - 1; i >= 0; i--) {
      joiner.add(base + layerDirectoryName(i));
    }
    return joiner.toString();
  }

  @Override
  Node find(String path) {
    int n = path.length();
    if (n == 0 || path.charAt(0) != '/') {
      return null;
    }
    if (n == 1) {
      return root;
    }
    int end = layerEnd(path);
    int layer = layerOf(path, end);
    if (layer < 0) {
      return null;
    }
    if (end == n) {
      return views[layer].root();
    }
    return end + 1 == n ? null : views[layer].get(path, end + 1);
  }

  @Override
  List<DirEntry> entries(String path, Node dir) {
    if (path.length() == 1) { // "/"
      return rootEntries;
    }
    return toEntries(views[layerOf(path, layerEnd(path))].children(dir));
  }

  /** Where the layer number of FUSE path {@code path} (not the root) ends. */
  private static int layerEnd(String path) {
    int slash = path.indexOf('/', 1);
    return slash < 0 ? path.length() : slash;
  }

  /** The layer {@code path.substring(1, end)} names, or -1 if none. */
  private int layerOf(String path, int end) {
    int digits = end - 1;
    if (digits <= 0 || digits > MAX_DIGITS || (digits > 1 && path.charAt(1) == '0')) {
      return -1;
    }
    int layer = 0;
    for (int i = 1; i < end; i++) {
      char c = path.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      layer = layer * 10 + (c - '0');
    }
    return layer < views.length ? layer : -1;
  }

  /**
   * Block size 4096; blocks: the bytes of the regular files of all layer directories (each inode
   * once) in 4096-byte blocks, rounded up; files: all nodes with the root; names up to 255 bytes.
   */
  @Override
  public StatFs statfs() {
    return statFs;
  }
}
