package dev.strata.image;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The merged view of an image: its layers applied bottom first, as a container runtime sees the
 * root filesystem. Immutable and safe to share between threads once built.
 *
 * <p>The merge follows the OCI image spec ("Applying changesets"), as {@code tar -x} of each layer
 * with whiteouts applied between layers (or {@code umoci unpack}) does:
 *
 * <ul>
 *   <li>Within a layer a later entry for a path replaces an earlier one; a later layer's entry
 *       replaces a lower layer's. A directory over a directory keeps the children (the upper
 *       metadata wins); any other replacement of a directory removes its whole subtree.
 *   <li>{@code .wh.NAME} removes NAME and its subtree as the lower layers left them; {@code
 *       .wh..wh..opq} empties its directory of what lower layers put there. A whiteout never
 *       removes an entry of its own layer, whichever comes first in the stream. Whiteout files, and
 *       AUFS metadata ({@code .wh..wh.plnk} etc.), never appear in the tree.
 *   <li>Missing parent directories are created with mode 0755, owner 0:0, mtime 0. A lower layer's
 *       non-directory where a parent directory is needed is replaced by such a directory (as
 *       overlayfs stacking shows it); one of the same layer is an error.
 *   <li>A hardlink shares its target's inode: content, metadata and inode number; its target must
 *       exist at that point of the stream (in its layer or below) and must not be a directory.
 *   <li>An entry whose path goes through a symlink of the tree is refused, never followed. Symlink
 *       targets are kept exactly as stored and never resolved here.
 * </ul>
 *
 * <p>Violations throw {@link InvalidLayerException} naming the layer, the entry and the reason.
 *
 * <p>Inode numbers are dense and deterministic: the root is 1, then breadth first with siblings in
 * {@link #NAME_ORDER}; hardlinked nodes share the number of the first of them. Lookups walk the
 * path with a binary search per component over the sorted children lists, which are built once.
 */
public final class ImageTree {
  /**
   * Sibling order: by Unicode code point, which is the byte order of the names' UTF-8 form (what
   * {@code LC_ALL=C ls} shows).
   */
  public static final Comparator<String> NAME_ORDER = ImageTree::compareNames;

  private final Node root;

  /** By inode number: a directory's children in name order; null for other numbers. */
  private final List<List<Node>> childLists;

  private final int size;

  ImageTree(Node root, List<List<Node>> childLists, int size) {
    this.root = root;
    this.childLists = childLists;
    this.size = size;
  }

  /**
   * Merges {@code layers}, bottom layer first.
   *
   * @throws InvalidLayerException if an entry cannot be applied (see the class comment)
   */
  public static ImageTree merge(List<LayerEntries> layers) throws InvalidLayerException {
    TreeMerger merger = new TreeMerger();
    for (LayerEntries layer : layers) {
      merger.apply(Objects.requireNonNull(layer, "layer"));
    }
    return merger.build();
  }

  /** The root directory (path {@code ""}, inode 1). */
  public Node root() {
    return root;
  }

  /**
   * The node at {@code path}, a normalized path as {@link dev.strata.index.EntryPaths#normalize}
   * gives ({@code ""} for the root, no leading or trailing {@code /}, no empty, {@code .} or {@code
   * ..} components; anything else finds nothing). Symlinks are never followed, also not in the
   * middle of the path.
   */
  public Optional<Node> lookup(String path) {
    Node cur = root;
    int start = 0;
    while (!path.isEmpty()) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? path.length() : slash;
      cur = child(cur, path, start, end);
      if (cur == null || slash < 0) {
        break;
      }
      start = slash + 1;
    }
    return Optional.ofNullable(cur);
  }

  /** The child {@code name} of directory {@code dir} (a node of this tree), if any. */
  public Optional<Node> lookup(Node dir, String name) {
    if (name.isEmpty() || name.indexOf('/') >= 0) {
      return Optional.empty();
    }
    return Optional.ofNullable(child(dir, name, 0, name.length()));
  }

  /**
   * The children of {@code dir} (a node of this tree) in {@link #NAME_ORDER}; empty for an empty
   * directory or a non-directory. The list is immutable and built once.
   */
  public List<Node> children(Node dir) {
    if (!dir.isDirectory() || dir.inode() <= 0 || dir.inode() >= childLists.size()) {
      return List.of();
    }
    List<Node> kids = childLists.get((int) dir.inode());
    return kids == null ? List.of() : kids;
  }

  /** The number of nodes, the root included. */
  public int size() {
    return size;
  }

  /** The child of {@code dir} named {@code key[from, to)}, by binary search; null if none. */
  private Node child(Node dir, String key, int from, int to) {
    List<Node> kids = children(dir);
    int nameStart = dir.isRoot() ? 0 : dir.path().length() + 1;
    int lo = 0;
    int hi = kids.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      Node kid = kids.get(mid);
      int c = compareRegions(kid.path(), nameStart, kid.path().length(), key, from, to);
      if (c == 0) {
        return kid;
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return null;
  }

  /** Every node, depth first from the root, siblings in {@link #NAME_ORDER}. */
  public Stream<Node> walk() {
    Iterator<Node> it =
        new Iterator<>() {
          private final ArrayDeque<Node> stack = new ArrayDeque<>(List.of(root));

          @Override
          public boolean hasNext() {
            return !stack.isEmpty();
          }

          @Override
          public Node next() {
            Node next = stack.poll();
            if (next == null) {
              throw new NoSuchElementException();
            }
            List<Node> kids = children(next);
            for (int i = kids.size() - 1; i >= 0; i--) {
              stack.push(kids.get(i));
            }
            return next;
          }
        };
    return StreamSupport.stream(
        Spliterators.spliterator(
            it, size, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT),
        false);
  }

  private static int compareNames(String a, String b) {
    return compareRegions(a, 0, a.length(), b, 0, b.length());
  }

  private static int compareRegions(String a, int aFrom, int aTo, String b, int bFrom, int bTo) {
    int n = Math.min(aTo - aFrom, bTo - bFrom);
    for (int i = 0; i < n; i++) {
      char ca = a.charAt(aFrom + i);
      char cb = b.charAt(bFrom + i);
      if (ca != cb) {
        return codePointRank(ca) - codePointRank(cb);
      }
    }
    return (aTo - aFrom) - (bTo - bFrom);
  }

  /** Moves surrogates above U+E000..U+FFFF so UTF-16 units compare in code point order. */
  private static int codePointRank(char c) {
    if (c >= 0xE000) {
      return c - 0x800;
    }
    return c >= 0xD800 ? c + 0x2000 : c;
  }
}
