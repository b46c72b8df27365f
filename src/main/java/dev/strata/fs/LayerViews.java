package dev.strata.fs;

import dev.strata.image.ImageTree;
import dev.strata.image.InvalidLayerException;
import dev.strata.image.LayerEntries;
import dev.strata.image.Node;
import dev.strata.image.Whiteouts;
import dev.strata.index.EntryType;
import dev.strata.index.IndexEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds the per-layer directories of {@link LayerFileSystem}, bottom layer first: each is what
 * containerd's overlayfs snapshotter leaves on disk after applying that layer over the ones below
 * it, so that kernel overlayfs stacking them shows the merged {@link ImageTree}. See {@link
 * LayerFileSystem} for the rules; this class applies them.
 *
 * <p>Everything a layer's view needs from the layers below ("what does the image look like under
 * this layer at path p") is answered by an overlayfs-style lookup over the views already built
 * ({@link #lowerLookup}), never by merging the lower layers again: building all views costs about
 * one merge of the image.
 */
final class LayerViews {
  /** Private marker on a copied-up lower file's entry: the layer its bytes are in. */
  private static final String CONTENT_LAYER_KEY = "\0strata.content-layer";

  static final String OVERLAY_XATTR_PREFIX = "trusted.overlay.";
  static final String OPAQUE_XATTR = "trusted.overlay.opaque";
  private static final byte[] OPAQUE_VALUE = "y".getBytes(StandardCharsets.US_ASCII);

  private enum Kind {
    PLAIN,
    WHITEOUT,
    OPAQUE,
    AUFS_META
  }

  /** The views built so far, bottom first. */
  private final List<NodeTable> views = new ArrayList<>();

  /** Inode number of the next view's root minus 1 (1 is the mount's root). */
  private long nextBase = 1;

  /** Names at the top of the views built so far. */
  private final Set<String> rootNames = new LinkedHashSet<>();

  private long fileBytes;
  private long nodes;

  private LayerViews() {}

  /** The built views, bottom layer first. */
  record Result(List<NodeTable> views, long fileBytes, long nodes) {}

  static Result build(List<LayerEntries> layers) throws InvalidLayerException {
    LayerViews b = new LayerViews();
    for (LayerEntries layer : layers) {
      b.add(layer);
    }
    return new Result(List.copyOf(b.views), b.fileBytes, b.nodes);
  }

  /** What the build knows about one layer while freezing its view. */
  private record LayerFacts(
      long base,
      Set<String> explicitDirs,
      Set<String> removed,
      Set<String> opaque,
      Node lowerRoot) {}

  private void add(LayerEntries layer) throws InvalidLayerException {
    List<IndexEntry> src = layer.entries();
    Kind[] kinds = new Kind[src.size()];
    Set<String> explicitDirs = new HashSet<>();
    Set<String> removed = new HashSet<>(); // NAME of every .wh.NAME: lower NAME is gone
    Set<String> opaque = new HashSet<>(); // directories whose lower contents are hidden
    Set<String> parents = new HashSet<>(); // directories this layer's entries are in
    for (int i = 0; i < kinds.length; i++) {
      IndexEntry e = src.get(i);
      kinds[i] = classify(e.path());
      if (kinds[i] != Kind.AUFS_META) {
        addAncestors(parents, e.path());
      }
      switch (kinds[i]) {
        case PLAIN -> {
          if (e.type() == EntryType.DIRECTORY) {
            explicitDirs.add(e.path());
          }
        }
        case WHITEOUT -> removed.add(whiteoutTarget(e.path()));
        case OPAQUE -> opaque.add(e.parent());
        case AUFS_META -> {}
      }
    }

    // Hardlinks to a lower layer's file: copy the file up to this layer first (as applying the
    // layer on overlayfs does), then the link is an ordinary link within the layer. Where this
    // layer makes the target a directory, the link itself becomes a copy of the file instead.
    List<IndexEntry> out = new ArrayList<>(src.size() + 8);
    List<Kind> outKinds = new ArrayList<>(src.size() + 8);
    Set<String> placed = new HashSet<>(); // by this layer so far, with their parents
    Set<String> replaced = new HashSet<>(); // where this layer puts a non-directory
    for (int i = 0; i < kinds.length; i++) {
      IndexEntry e = src.get(i);
      if (kinds[i] == Kind.PLAIN) {
        String target = e.linkTarget();
        if (e.type() == EntryType.HARDLINK
            && !target.startsWith(Whiteouts.AUFS_LINK_DIR + "/")
            && !placed.contains(target)
            && !removedHere(target, removed, opaque)) {
          Node lower = lowerLookup(target);
          if (lower != null && !lower.isDirectory()) {
            if (parents.contains(target)) {
              e = copyUp(lower, e.path());
            } else {
              out.add(copyUp(lower, target));
              outKinds.add(Kind.PLAIN);
              placed.add(target);
              addAncestors(placed, target);
            }
          }
        } // else the link is within the layer, or the merge reports its missing target
        placed.add(e.path());
        addAncestors(placed, e.path());
        if (e.type() != EntryType.DIRECTORY) {
          replaced.add(e.path());
        }
      }
      out.add(e);
      outKinds.add(kinds[i]);
    }
    // A non-directory removes what was below at its path: a directory there later is a new one.
    opaque.addAll(replaced);

    // What this layer puts in its own directory: entries and the directories they need.
    Set<String> occupied = new HashSet<>();
    for (int i = 0; i < out.size(); i++) {
      if (outKinds.get(i) != Kind.AUFS_META) {
        String path = out.get(i).path();
        if (outKinds.get(i) == Kind.PLAIN) {
          occupied.add(path);
        }
        addAncestors(occupied, path);
      }
    }

    boolean opaqueRoot = opaque.contains("");
    if (opaqueRoot) {
      // overlayfs ignores the opaque flag on a layer's root: make the layer's own top-level
      // directories opaque, and white out the other names below (further down)
      for (String path : occupied) {
        if (!path.isEmpty() && path.indexOf('/') < 0) {
          opaque.add(path); // flagged only if it is a directory
        }
      }
    }

    // Whiteouts become 0/0 character devices where they hide something below that this layer does
    // not hide anyway (overlayfs lists the whiteouts of a directory only one layer has).
    List<IndexEntry> entries = new ArrayList<>(out.size());
    Set<String> devices = new HashSet<>();
    for (int i = 0; i < out.size(); i++) {
      IndexEntry e = out.get(i);
      if (outKinds.get(i) == Kind.WHITEOUT) {
        String hidden = whiteoutTarget(e.path());
        if (occupied.contains(hidden)) {
          opaque.add(hidden); // re-created by this layer: hide the lower one's children
        } else if (!parentHidden(hidden, removed, opaque)
            && lowerLookup(hidden) != null
            && devices.add(hidden)) {
          entries.add(whiteoutDevice(hidden, e));
          continue;
        }
      }
      entries.add(e); // whiteouts and markers left in place only make their directory exist
    }
    if (opaqueRoot) {
      for (String name : rootNames) {
        if (!occupied.contains(name) && lowerLookup(name) != null && devices.add(name)) {
          entries.add(whiteoutDevice(name, null));
        }
      }
    }

    ImageTree tree =
        ImageTree.merge(List.of(new LayerEntries(layer.layerIndex(), layer.layerName(), entries)));
    LayerFacts facts =
        new LayerFacts(
            nextBase,
            explicitDirs,
            removed,
            opaque,
            views.isEmpty() ? null : views.getLast().root());
    NodeTable view = NodeTable.of(tree, node -> freeze(node, facts));
    views.add(view);
    nextBase += tree.size(); // tree inode numbers are at most its node count
    nodes += tree.size();
    fileBytes += ImageFileSystem.regularFileBytes(tree);
    for (Node kid : view.children(view.root())) {
      rootNames.add(kid.name());
    }
  }

  /** {@code node} of a layer's own tree as the view shows it. */
  private Node freeze(Node node, LayerFacts facts) {
    Map<String, byte[]> xattrs = node.xattrs();
    int contentLayer = node.layerIndex();
    byte[] marker = xattrs.get(CONTENT_LAYER_KEY);
    if (marker != null) {
      contentLayer = ByteBuffer.wrap(marker).getInt();
    }
    int mode = node.mode();
    long uid = node.uid();
    long gid = node.gid();
    long mtime = node.mtimeSeconds();
    int nanos = node.mtimeNanos();
    if (node.isDirectory() && !facts.explicitDirs().contains(node.path())) {
      // made implicitly: as the image below has it, as overlayfs copy-up would make it
      Node lower = node.isRoot() ? facts.lowerRoot() : inherited(node.path(), facts);
      if (lower != null) {
        mode = lower.mode();
        uid = lower.uid();
        gid = lower.gid();
        mtime = lower.mtimeSeconds();
        nanos = lower.mtimeNanos();
        xattrs = lower.xattrs();
      }
    }
    xattrs = cleanXattrs(xattrs, node.isDirectory() && facts.opaque().contains(node.path()));
    return new Node(
        node.path(),
        node.type(),
        mode,
        uid,
        gid,
        node.size(),
        mtime,
        nanos,
        node.linkTarget(),
        node.devMajor(),
        node.devMinor(),
        xattrs,
        node.nlink(),
        facts.base() + node.inode(),
        contentLayer,
        node.payloadOffset());
  }

  /**
   * The lower directory an implicit directory at {@code path} stands for: the one at the same path
   * below, unless this layer's whiteouts removed it.
   */
  private Node inherited(String path, LayerFacts facts) {
    if (removedHere(path, facts.removed(), facts.opaque())) {
      return null;
    }
    Node lower = lowerLookup(path);
    return lower != null && lower.isDirectory() ? lower : null;
  }

  /**
   * Whether this layer already hides what is below at {@code path} through a parent other than the
   * root: one it whites out, or an opaque one.
   */
  private static boolean parentHidden(String path, Set<String> removed, Set<String> opaque) {
    for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
      String parent = path.substring(0, slash);
      if (removed.contains(parent) || opaque.contains(parent)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether this layer's whiteouts hide what is below at {@code path}: a whiteout of it or of a
   * parent, or an opaque parent.
   */
  private static boolean removedHere(String path, Set<String> removed, Set<String> opaque) {
    if (removed.isEmpty() && opaque.isEmpty()) {
      return false;
    }
    if (removed.contains(path)) {
      return true;
    }
    String p = path;
    while (!p.isEmpty()) {
      int slash = p.lastIndexOf('/');
      p = slash < 0 ? "" : p.substring(0, slash);
      if (removed.contains(p) || opaque.contains(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * What overlayfs stacking the views built so far shows at {@code path} (a normalized path, not
   * the root): the topmost entry, where a whiteout hides what is below, a non-directory hides the
   * directories below it, and an opaque directory the directories below it. Null if nothing.
   */
  Node lowerLookup(String path) {
    int depth = views.size();
    if (depth == 0) {
      return null;
    }
    int[] stack = new int[depth]; // the views where the current directory is, top first
    for (int i = 0; i < depth; i++) {
      stack[i] = depth - 1 - i;
    }
    int start = 0;
    while (true) {
      int slash = path.indexOf('/', start);
      String prefix = slash < 0 ? path : path.substring(0, slash);
      Node found = null;
      int kept = 0;
      for (int j = 0; j < depth; j++) {
        Node n = views.get(stack[j]).get(prefix, 0);
        if (n == null) {
          continue;
        }
        if (found == null) {
          if (isWhiteout(n)) {
            return null;
          }
          found = n;
          if (!n.isDirectory()) {
            break;
          }
        } else if (!n.isDirectory()) {
          break; // a whiteout or a non-directory below a directory ends the stack
        }
        stack[kept++] = stack[j];
        if (n.xattrs().containsKey(OPAQUE_XATTR)) {
          break;
        }
      }
      if (found == null) {
        return null;
      }
      if (slash < 0) {
        return found;
      }
      if (!found.isDirectory()) {
        return null;
      }
      depth = kept;
      start = slash + 1;
    }
  }

  /** An overlayfs whiteout: a character device with device number 0/0. */
  static boolean isWhiteout(Node n) {
    return n.type() == EntryType.CHAR_DEVICE && n.devMajor() == 0 && n.devMinor() == 0;
  }

  /** {@code xattrs} without overlayfs's own attributes, plus the opaque flag if asked. */
  private static Map<String, byte[]> cleanXattrs(Map<String, byte[]> xattrs, boolean opaque) {
    boolean clean = !opaque;
    for (String key : xattrs.keySet()) {
      if (key.startsWith(OVERLAY_XATTR_PREFIX) || key.equals(CONTENT_LAYER_KEY)) {
        clean = false;
        break;
      }
    }
    if (clean) {
      return xattrs;
    }
    Map<String, byte[]> out = new TreeMap<>();
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      String key = x.getKey();
      if (!key.startsWith(OVERLAY_XATTR_PREFIX) && !key.equals(CONTENT_LAYER_KEY)) {
        out.put(key, x.getValue());
      }
    }
    if (opaque) {
      out.put(OPAQUE_XATTR, OPAQUE_VALUE);
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * An entry at {@code path} standing for {@code lower} (found below), its bytes where they are.
   */
  private static IndexEntry copyUp(Node lower, String path) {
    boolean file = lower.isRegularFile();
    Map<String, byte[]> xattrs = lower.xattrs();
    if (file) {
      xattrs = new TreeMap<>(xattrs);
      xattrs.put(CONTENT_LAYER_KEY, ByteBuffer.allocate(4).putInt(lower.layerIndex()).array());
    }
    return new IndexEntry(
        path,
        lower.type(),
        lower.mode(),
        lower.uid(),
        lower.gid(),
        file ? lower.size() : 0,
        lower.mtimeSeconds(),
        lower.mtimeNanos(),
        lower.linkTarget(),
        lower.devMajor(),
        lower.devMinor(),
        xattrs,
        file ? lower.payloadOffset() : -1);
  }

  /** An overlayfs whiteout at {@code path}: character device 0/0, mode 0, owner 0:0. */
  private static IndexEntry whiteoutDevice(String path, IndexEntry whiteout) {
    return new IndexEntry(
        path,
        EntryType.CHAR_DEVICE,
        0,
        0,
        0,
        0,
        whiteout == null ? 0 : whiteout.mtimeSeconds(),
        whiteout == null ? 0 : whiteout.mtimeNanos(),
        "",
        0,
        0,
        Map.of(),
        -1);
  }

  private static void addAncestors(Set<String> set, String path) {
    for (int slash = path.lastIndexOf('/'); slash >= 0; slash = path.lastIndexOf('/', slash - 1)) {
      if (!set.add(path.substring(0, slash))) {
        return; // and so are its ancestors
      }
    }
    set.add("");
  }

  /** {@code dir/NAME} for the whiteout {@code dir/.wh.NAME}. */
  private static String whiteoutTarget(String path) {
    int nameStart = path.lastIndexOf('/') + 1;
    return path.substring(0, nameStart) + path.substring(nameStart + Whiteouts.PREFIX.length());
  }

  /**
   * As {@code TreeMerger} classifies entries; names it would refuse are left {@link Kind#PLAIN} so
   * that the merge of the layer reports them.
   */
  private static Kind classify(String path) {
    if (path.startsWith(Whiteouts.META_PREFIX) && !path.equals(Whiteouts.OPAQUE)) {
      return Kind.AUFS_META;
    }
    int start = 0;
    for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', start)) {
      if (path.startsWith(Whiteouts.META_PREFIX, start)) {
        return Kind.AUFS_META;
      }
      if (path.startsWith(Whiteouts.PREFIX, start)) {
        return Kind.PLAIN;
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
    int nameLength = path.length() - start - Whiteouts.PREFIX.length();
    if (nameLength == 0
        || (nameLength == 1 && path.endsWith("."))
        || (nameLength == 2 && path.endsWith(".."))) {
      return Kind.PLAIN;
    }
    return Kind.WHITEOUT;
  }
}
