package dev.strata.fs;

import dev.strata.image.ImageTree;
import dev.strata.image.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The nodes of one tree by path, with each directory's children: an open-addressing hash table
 * keyed by {@link Node#path()}, looked up by a region of a longer string (a FUSE path minus its
 * prefix) without allocating. Immutable once built, so safe to share between threads.
 *
 * <p>The hash is {@link String#hashCode()}'s polynomial over the region, so a key's own (cached)
 * hash code is its table hash. Load factor at most 1/2, linear probing, Fibonacci spreading.
 */
final class NodeTable {
  private final Node[] slots;

  /** By slot: a directory's children in {@link ImageTree#NAME_ORDER}; null for other slots. */
  private final List<List<Node>> children;

  private final int shift;
  private final int size;

  private NodeTable(int expected) {
    int capacity = Integer.highestOneBit(Math.max(2, expected) * 2 - 1) << 1; // >= 2 * expected
    this.slots = new Node[capacity];
    this.children = new ArrayList<>(Collections.nCopies(capacity, (List<Node>) null));
    this.shift = 32 - Integer.numberOfTrailingZeros(capacity);
    this.size = expected;
  }

  /** The nodes of {@code tree}, as they are. */
  static NodeTable of(ImageTree tree) {
    NodeTable table = new NodeTable(tree.size());
    tree.walk()
        .forEach(
            node -> {
              int slot = table.insert(node);
              if (node.isDirectory()) {
                table.children.set(slot, tree.children(node));
              }
            });
    return table;
  }

  /**
   * The nodes of {@code tree}, each replaced by {@code transform(node)}, which must keep its path
   * and type.
   */
  static NodeTable of(ImageTree tree, UnaryOperator<Node> transform) {
    NodeTable table = new NodeTable(tree.size());
    List<Node> dirs = new ArrayList<>();
    tree.walk()
        .forEach(
            node -> {
              Node replaced = transform.apply(node);
              if (!replaced.path().equals(node.path()) || replaced.type() != node.type()) {
                throw new IllegalArgumentException("transform changed " + node.path());
              }
              table.insert(replaced);
              if (node.isDirectory()) {
                dirs.add(node);
              }
            });
    for (Node dir : dirs) {
      List<Node> kids = tree.children(dir);
      Node[] replaced = new Node[kids.size()];
      for (int i = 0; i < replaced.length; i++) {
        replaced[i] = table.slots[table.slot(kids.get(i).path(), 0)];
      }
      table.children.set(table.slot(dir.path(), 0), List.of(replaced));
    }
    return table;
  }

  private int insert(Node node) {
    String key = node.path();
    int i = index(key.hashCode());
    while (slots[i] != null) {
      if (slots[i].path().equals(key)) {
        throw new IllegalArgumentException("duplicate path " + key);
      }
      i = (i + 1) & (slots.length - 1);
    }
    slots[i] = node;
    return i;
  }

  /** The node whose path is {@code s.substring(from)}, or null; allocates nothing. */
  Node get(String s, int from) {
    int slot = slot(s, from);
    return slot < 0 ? null : slots[slot];
  }

  /** The children of {@code dir} (a node of this table); empty for a non-directory. */
  List<Node> children(Node dir) {
    int slot = slot(dir.path(), 0);
    List<Node> kids = slot < 0 ? null : children.get(slot);
    return kids == null ? List.of() : kids;
  }

  /** The number of nodes. */
  int size() {
    return size;
  }

  /** The root, path {@code ""}. */
  Node root() {
    return get("", 0);
  }

  private int slot(String s, int from) {
    int h;
    if (from == 0) {
      h = s.hashCode(); // cached by String
    } else {
      h = 0;
      for (int i = from, n = s.length(); i < n; i++) {
        h = 31 * h + s.charAt(i);
      }
    }
    int len = s.length() - from;
    int mask = slots.length - 1;
    for (int i = index(h); ; i = (i + 1) & mask) {
      Node node = slots[i];
      if (node == null) {
        return -1;
      }
      String key = node.path();
      if (key.length() == len && s.regionMatches(from, key, 0, len)) {
        return i;
      }
    }
  }

  private int index(int hash) {
    return (hash * 0x9E3779B9) >>> shift;
  }
}
