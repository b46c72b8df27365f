package dev.strata.image;

import dev.strata.index.EntryType;
import dev.strata.index.IndexEntry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies layers one after the other to a mutable tree, then freezes it into an {@link ImageTree}.
 * Not thread safe; used once.
 *
 * <p>Each layer is applied in two passes. The first applies the layer's whiteouts (and opaque
 * markers) to the tree built from the lower layers only, so a whiteout never removes what its own
 * layer adds, whatever their order in the stream. The second applies the other entries in stream
 * order, as {@code tar -x} would: later entries replace earlier ones at the same path, a directory
 * over a directory keeps the children, anything else replaces the whole subtree; missing parents
 * are created; hardlinks are resolved against the tree as it is at that point of the stream.
 */
final class TreeMerger {
  private static final int IMPLICIT_DIR_MODE = 0755;

  /** Content and metadata; shared by the nodes that are hardlinks of one another. */
  private static final class Inode {
    /** null for a directory created implicitly. */
    final IndexEntry entry;

    final int layerIndex;

    /** Whether some hardlink refers to this inode (only those need counting). */
    boolean linked;

    /** For linked inodes, while freezing: the nodes sharing it, and its number once assigned. */
    int links;

    long number;

    Inode(IndexEntry entry, int layerIndex) {
      this.entry = entry;
      this.layerIndex = layerIndex;
    }

    EntryType type() {
      return entry == null ? EntryType.DIRECTORY : entry.type();
    }
  }

  /** One path of the tree under construction. */
  private static final class MNode {
    Inode inode;

    /** Position (in the merge's list) of the layer that put this node at its path. */
    int ordinal;

    /** Non-null exactly for directories. */
    final HashMap<String, MNode> children;

    MNode(Inode inode, int ordinal) {
      this.inode = inode;
      this.ordinal = ordinal;
      this.children = inode.type() == EntryType.DIRECTORY ? new HashMap<>() : null;
    }

    boolean isDirectory() {
      return children != null;
    }
  }

  private enum Kind {
    /** An ordinary entry: becomes (or updates) a node. */
    PLAIN,
    /** {@code .wh.NAME}: removes NAME of lower layers. */
    WHITEOUT,
    /** {@code .wh..wh..opq}: empties its directory of lower layers' entries. */
    OPAQUE,
    /** {@code .wh..wh.*} or anything below such a directory: AUFS bookkeeping, no effect. */
    AUFS_META
  }

  private final MNode root;

  /**
   * Why a path is gone, for the error of a hardlink to it: removed path, or {@code "opaque:" +
   * dir}, to a description of the whiteout.
   */
  private final Map<String, String> hiddenBy = new HashMap<>();

  // The layer being applied.
  private int ordinal = -1;
  private LayerEntries layer;

  /** Regular files under the top-level {@code .wh..wh.plnk/} of the current layer, by path. */
  private final Map<String, Inode> aufsLinks = new HashMap<>();

  TreeMerger() {
    root = new MNode(new Inode(null, -1), -1);
  }

  void apply(LayerEntries next) throws InvalidLayerException {
    ordinal++;
    layer = next;
    aufsLinks.clear();
    List<IndexEntry> entries = next.entries();
    Kind[] kinds = new Kind[entries.size()];
    for (int i = 0; i < kinds.length; i++) {
      IndexEntry e = entries.get(i);
      kinds[i] = classify(e);
      switch (kinds[i]) {
        case WHITEOUT -> whiteout(e);
        case OPAQUE -> opaque(e);
        case PLAIN, AUFS_META -> {}
      }
    }
    for (int i = 0; i < kinds.length; i++) {
      IndexEntry e = entries.get(i);
      switch (kinds[i]) {
        case PLAIN -> place(e);
        case WHITEOUT, OPAQUE -> parentDirectory(e); // the marker's directory is in this layer
        case AUFS_META -> recordAufsLink(e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Classification and validation

  private Kind classify(IndexEntry e) throws InvalidLayerException {
    String path = e.path();
    checkNormalized(e, path, "path");
    if (e.type() == EntryType.HARDLINK) {
      if (e.linkTarget().isEmpty()) {
        throw invalid(e, "hardlink with an empty target (the root directory)");
      }
      checkNormalized(e, e.linkTarget(), "hardlink target");
    }
    if (path.startsWith(Whiteouts.META_PREFIX) && !path.equals(Whiteouts.OPAQUE)) {
      return Kind.AUFS_META; // top-level AUFS directory (.wh..wh.plnk, .wh..wh.aufs) or below it
    }
    int start = 0;
    for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', start)) {
      if (path.startsWith(Whiteouts.META_PREFIX, start)) {
        return Kind.AUFS_META;
      }
      if (path.startsWith(Whiteouts.PREFIX, start)) {
        throw invalid(
            e,
            "the whiteout name '"
                + path.substring(start, slash)
                + "' is used as a directory; whiteouts are files");
      }
      start = slash + 1;
    }
    if (!path.startsWith(Whiteouts.PREFIX, start)) {
      return Kind.PLAIN;
    }
    if (path.length() - start == Whiteouts.OPAQUE.length()
        && path.startsWith(Whiteouts.OPAQUE, start)) {
      return Kind.OPAQUE;
    }
    if (path.startsWith(Whiteouts.META_PREFIX, start)) {
      return Kind.AUFS_META;
    }
    String hidden = path.substring(start + Whiteouts.PREFIX.length());
    if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
      throw invalid(
          e,
          "whiteout of '"
              + hidden
              + "' would remove "
              + (hidden.equals("..") ? "a directory above its own" : "its own directory")
              + (start == 0 ? " (the root)" : ""));
    }
    return Kind.WHITEOUT;
  }

  private void checkNormalized(IndexEntry e, String path, String what)
      throws InvalidLayerException {
    if (path.isEmpty()) {
      return;
    }
    if (path.startsWith("/") || path.endsWith("/") || path.indexOf('\0') >= 0) {
      throw invalid(e, what + " '" + path + "' is not a normalized relative path");
    }
    int start = 0;
    while (start <= path.length()) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? path.length() : slash;
      int len = end - start;
      if (len == 0
          || (len == 1 && path.charAt(start) == '.')
          || (len == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.')) {
        throw invalid(e, what + " '" + path + "' is not normalized (empty, '.' or '..' component)");
      }
      start = end + 1;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Pass 1: whiteouts against the lower layers

  private void whiteout(IndexEntry e) {
    String name = e.name().substring(Whiteouts.PREFIX.length());
    String parent = e.parent();
    MNode dir = lowerDirectory(parent);
    if (dir != null && dir.children.remove(name) != null) {
      hiddenBy.put(parent.isEmpty() ? name : parent + "/" + name, describeWhiteout(e));
    }
  }

  private void opaque(IndexEntry e) {
    String parent = e.parent();
    MNode dir = lowerDirectory(parent);
    if (dir != null && !dir.children.isEmpty()) {
      dir.children.clear();
      hiddenBy.put("opaque:" + parent, describeWhiteout(e));
    }
  }

  private String describeWhiteout(IndexEntry e) {
    return "whiteout '"
        + e.path()
        + "' of layer "
        + layer.layerIndex()
        + " ("
        + layer.layerName()
        + ")";
  }

  /**
   * The directory at {@code path}, walking without following symlinks; null when a component is
   * missing or not a directory: then lower layers have nothing there to hide (a symlink has no
   * children in the tree, and the tree is never written through one).
   */
  private MNode lowerDirectory(String path) {
    MNode cur = root;
    if (path.isEmpty()) {
      return cur;
    }
    int start = 0;
    while (cur != null && cur.isDirectory()) {
      int slash = path.indexOf('/', start);
      String comp = slash < 0 ? path.substring(start) : path.substring(start, slash);
      cur = cur.children.get(comp);
      if (slash < 0) {
        return cur != null && cur.isDirectory() ? cur : null;
      }
      start = slash + 1;
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Pass 2: entries in stream order

  private void place(IndexEntry e) throws InvalidLayerException {
    String path = e.path();
    if (path.isEmpty()) {
      if (e.type() != EntryType.DIRECTORY) {
        throw invalid(e, "the root must be a directory, not a " + describe(e.type()));
      }
      root.inode = new Inode(e, layer.layerIndex());
      root.ordinal = ordinal;
      return;
    }
    MNode parent = parentDirectory(e);
    String name = e.name();
    MNode existing = parent.children.get(name);
    MNode node;
    switch (e.type()) {
      case DIRECTORY -> {
        if (existing != null && existing.isDirectory()) {
          existing.inode = new Inode(e, layer.layerIndex()); // metadata replaced, children kept
          existing.ordinal = ordinal;
          forgetHidden(path);
          return;
        }
        node = new MNode(new Inode(e, layer.layerIndex()), ordinal);
      }
      case HARDLINK -> {
        Inode target = hardlinkTarget(e);
        target.linked = true;
        node = new MNode(target, ordinal);
      }
      default -> node = new MNode(new Inode(e, layer.layerIndex()), ordinal);
    }
    parent.children.put(name, node);
    forgetHidden(path);
  }

  /** Something is at {@code path} again: if it goes missing later, a whiteout is not why. */
  private void forgetHidden(String path) {
    if (!hiddenBy.isEmpty()) {
      hiddenBy.remove(path);
    }
  }

  /**
   * The directory that will hold {@code e}, creating missing directories (mode 0755, owner 0:0,
   * mtime 0) as {@code tar -x} does. A lower layer's non-directory in the way is replaced by a
   * directory, as stacking the layers with overlayfs shows it. A symlink in the way is refused: an
   * extractor would write through it, possibly outside the root.
   */
  private MNode parentDirectory(IndexEntry e) throws InvalidLayerException {
    String path = e.path();
    MNode cur = root;
    int start = 0;
    for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', start)) {
      String comp = path.substring(start, slash);
      MNode next = cur.children.get(comp);
      if (next == null || !next.isDirectory()) {
        if (next != null) {
          String prefix = path.substring(0, slash);
          if (next.inode.type() == EntryType.SYMLINK) {
            throw invalid(
                e,
                "its path goes through the symlink '"
                    + prefix
                    + "' (-> "
                    + next.inode.entry.linkTarget()
                    + "); extracting it would write through the link, possibly outside the"
                    + " image");
          }
          if (next.ordinal == ordinal) {
            throw invalid(
                e,
                "its parent '"
                    + prefix
                    + "' is a "
                    + describe(next.inode.type())
                    + " of this same layer, not a directory");
          }
        }
        next = new MNode(new Inode(null, layer.layerIndex()), ordinal);
        cur.children.put(comp, next);
      }
      cur = next;
      start = slash + 1;
    }
    return cur;
  }

  private Inode hardlinkTarget(IndexEntry e) throws InvalidLayerException {
    String target = e.linkTarget();
    if (target.equals(e.path())) {
      throw invalid(e, "hardlink to itself");
    }
    if (target.startsWith(Whiteouts.AUFS_LINK_DIR + "/")) {
      Inode aufs = aufsLinks.get(target);
      if (aufs == null) {
        throw invalid(e, "hardlink target '" + target + "' is not a file of this layer");
      }
      return aufs;
    }
    MNode cur = root;
    int start = 0;
    while (true) {
      int slash = target.indexOf('/', start);
      String comp = slash < 0 ? target.substring(start) : target.substring(start, slash);
      MNode next = cur.children.get(comp);
      if (next == null) {
        throw invalid(e, "hardlink target '" + target + "' does not exist" + hiddenHint(target));
      }
      if (slash < 0) {
        if (next.isDirectory()) {
          throw invalid(e, "hardlink target '" + target + "' is a directory");
        }
        return next.inode;
      }
      if (!next.isDirectory()) {
        String prefix = target.substring(0, slash);
        throw invalid(
            e,
            next.inode.type() == EntryType.SYMLINK
                ? "hardlink target '" + target + "' goes through the symlink '" + prefix + "'"
                : "hardlink target '"
                    + target
                    + "' does not exist: '"
                    + prefix
                    + "' is a "
                    + describe(next.inode.type()));
      }
      cur = next;
      start = slash + 1;
    }
  }

  /** Why {@code target} may be missing: a whiteout that removed it or one of its directories. */
  private String hiddenHint(String target) {
    String why = hiddenBy.get(target);
    if (why != null) {
      return " (it was removed by " + why + ")";
    }
    String p = target;
    while (!p.isEmpty()) {
      int slash = p.lastIndexOf('/');
      p = slash < 0 ? "" : p.substring(0, slash);
      why = hiddenBy.get("opaque:" + p);
      if (why != null) {
        return " ('" + (p.isEmpty() ? "/" : p) + "' was emptied by " + why + ")";
      }
      why = p.isEmpty() ? null : hiddenBy.get(p);
      if (why != null) {
        return " ('" + p + "' was removed by " + why + ")";
      }
    }
    return "";
  }

  private void recordAufsLink(IndexEntry e) {
    String path = e.path();
    if (e.type() == EntryType.FILE
        && path.startsWith(Whiteouts.AUFS_LINK_DIR + "/")
        && path.indexOf('/', Whiteouts.AUFS_LINK_DIR.length() + 1) < 0) {
      aufsLinks.put(path, new Inode(e, layer.layerIndex()));
    }
  }

  private InvalidLayerException invalid(IndexEntry e, String reason) {
    return new InvalidLayerException(layer.layerIndex(), layer.layerName(), e.path(), reason);
  }

  private static String describe(EntryType type) {
    return switch (type) {
      case FILE -> "regular file";
      case DIRECTORY -> "directory";
      case SYMLINK -> "symlink";
      case HARDLINK -> "hardlink";
      case CHAR_DEVICE -> "character device";
      case BLOCK_DEVICE -> "block device";
      case FIFO -> "FIFO";
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Freezing

  ImageTree build() {
    countLinks();
    // Children lists by directory inode number; null for non-directories (and number 0).
    List<List<Node>> childLists = new ArrayList<>();
    childLists.add(null);
    Node rootNode = freeze("", root, 1, directoryLinks(root));
    childLists.add(List.of());
    int size = 1;
    ArrayDeque<MNode> dirs = new ArrayDeque<>();
    ArrayDeque<Node> dirNodes = new ArrayDeque<>();
    dirs.add(root);
    dirNodes.add(rootNode);
    while (!dirs.isEmpty()) {
      MNode dir = dirs.poll();
      Node dirNode = dirNodes.poll();
      if (dir.children.isEmpty()) {
        continue;
      }
      List<Map.Entry<String, MNode>> sorted = new ArrayList<>(dir.children.entrySet());
      sorted.sort(Map.Entry.comparingByKey(ImageTree.NAME_ORDER));
      String prefix = dirNode.isRoot() ? "" : dirNode.path() + "/";
      Node[] kids = new Node[sorted.size()];
      for (int i = 0; i < kids.length; i++) {
        MNode child = sorted.get(i).getValue();
        String path = childPath(prefix, sorted.get(i).getKey(), child.inode.entry);
        long inode;
        int nlink;
        if (child.isDirectory()) {
          inode = childLists.size();
          childLists.add(List.of());
          nlink = directoryLinks(child);
        } else if (child.inode.linked) {
          if (child.inode.number == 0) {
            child.inode.number = childLists.size();
            childLists.add(null);
          }
          inode = child.inode.number;
          nlink = child.inode.links;
        } else {
          inode = childLists.size();
          childLists.add(null);
          nlink = 1;
        }
        kids[i] = freeze(path, child, inode, nlink);
        if (child.isDirectory()) {
          dirs.add(child);
          dirNodes.add(kids[i]);
        }
      }
      size += kids.length;
      childLists.set((int) dirNode.inode(), List.of(kids));
    }
    return new ImageTree(rootNode, childLists, size);
  }

  /** {@code prefix + name}, as the entry's own path string when it is that (saves a copy). */
  private static String childPath(String prefix, String name, IndexEntry entry) {
    if (entry != null) {
      String p = entry.path();
      if (p.length() == prefix.length() + name.length()
          && p.endsWith(name)
          && p.startsWith(prefix)) {
        return p;
      }
    }
    return prefix + name;
  }

  /** Counts how many nodes of the final tree share each hardlinked inode. */
  private void countLinks() {
    ArrayDeque<MNode> dirs = new ArrayDeque<>();
    dirs.add(root);
    while (!dirs.isEmpty()) {
      for (MNode child : dirs.poll().children.values()) {
        if (child.isDirectory()) {
          dirs.add(child);
        } else if (child.inode.linked) {
          child.inode.links++;
        }
      }
    }
  }

  private static int directoryLinks(MNode dir) {
    int links = 2;
    for (MNode child : dir.children.values()) {
      if (child.isDirectory()) {
        links++;
      }
    }
    return links;
  }

  private static Node freeze(String path, MNode node, long inode, int nlink) {
    Inode in = node.inode;
    IndexEntry e = in.entry;
    if (e == null) {
      return new Node(
          path,
          EntryType.DIRECTORY,
          IMPLICIT_DIR_MODE,
          0,
          0,
          0,
          0,
          0,
          "",
          0,
          0,
          Map.of(),
          nlink,
          inode,
          in.layerIndex,
          -1);
    }
    EntryType type = e.type();
    boolean device = type == EntryType.CHAR_DEVICE || type == EntryType.BLOCK_DEVICE;
    return new Node(
        path,
        type,
        type == EntryType.SYMLINK ? 0777 : e.mode() & 07777,
        e.uid(),
        e.gid(),
        switch (type) {
          case FILE -> e.size();
          case SYMLINK -> utf8Length(e.linkTarget());
          default -> 0;
        },
        e.mtimeSeconds(),
        e.mtimeNanos(),
        type == EntryType.SYMLINK ? e.linkTarget() : "",
        device ? e.devMajor() : 0,
        device ? e.devMinor() : 0,
        e.xattrs(),
        nlink,
        inode,
        in.layerIndex,
        type == EntryType.FILE ? e.payloadOffset() : -1);
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
