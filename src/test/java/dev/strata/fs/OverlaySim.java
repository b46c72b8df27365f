package dev.strata.fs;

import dev.strata.fs.ReadOnlyFileSystem.Attributes;
import dev.strata.fs.ReadOnlyFileSystem.DirEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What kernel overlayfs shows when it stacks the layer directories of a {@link LayerFileSystem}
 * ({@code lowerdir=M/n-1:...:M/0}), following fs/overlayfs (namei.c {@code ovl_lookup}, readdir.c):
 *
 * <ul>
 *   <li>Lookup goes down the layers where the parent is a directory, top first. The topmost entry
 *       decides: a whiteout (character device 0/0) means nothing is there, a non-directory is the
 *       answer. Below a directory, further directories merge into it until an opaque one ({@code
 *       trusted.overlay.opaque=y}), a whiteout or a non-directory ends the stack. The root's own
 *       opaque flag is never looked at.
 *   <li>Attributes are the topmost entry's; overlayfs hides its {@code trusted.overlay.*}
 *       attributes.
 *   <li>Listing a merged directory (more than one layer) unions the names, upper first, and drops
 *       names whose topmost entry is a whiteout; a directory of one layer only is listed as it is,
 *       whiteouts included.
 * </ul>
 */
final class OverlaySim {
  /** A path resolved in the stack: its topmost entry and, for a directory, its layers. */
  record Resolved(String layerPath, Attributes attributes, List<Integer> layers) {
    boolean isDirectory() {
      return (attributes.mode() & 0170000) == 040000;
    }
  }

  private final LayerFileSystem fs;

  OverlaySim(LayerFileSystem fs) {
    this.fs = fs;
  }

  /** {@code path} is normalized: {@code ""} for the root, else {@code "a/b"}. */
  Resolved lookup(String path) throws FsException {
    List<Integer> stack = new ArrayList<>();
    for (int i = fs.layerCount() - 1; i >= 0; i--) {
      stack.add(i);
    }
    String top = "/" + (fs.layerCount() - 1);
    Resolved current = new Resolved(top, fs.getattr(top), stack);
    if (path.isEmpty()) {
      return current;
    }
    String[] parts = path.split("/", -1);
    for (String part : parts) {
      if (!current.isDirectory()) {
        return null;
      }
      String rel = rel(current);
      String childRel = rel.isEmpty() ? part : rel + "/" + part;
      Resolved found = null;
      List<Integer> layers = new ArrayList<>();
      for (int layer : current.layers()) {
        String p = "/" + layer + "/" + childRel;
        Attributes a = getattr(p);
        if (a == null) {
          continue;
        }
        boolean dir = (a.mode() & 0170000) == 040000;
        if (found == null) {
          if (isWhiteout(a)) {
            return null;
          }
          found = new Resolved(p, a, layers);
          if (!dir) {
            break;
          }
        } else if (!dir) {
          break;
        }
        layers.add(layer);
        if (isOpaque(p)) {
          break;
        }
      }
      if (found == null) {
        return null;
      }
      current = found;
    }
    return current;
  }

  /** The names listed in directory {@code r}. */
  List<String> readdir(Resolved r) throws FsException {
    String rel = rel(r);
    if (r.layers().size() == 1) {
      List<String> names = new ArrayList<>();
      for (DirEntry e : fs.readdir(dirPath(r.layers().getFirst(), rel))) {
        names.add(e.name());
      }
      return names;
    }
    Map<String, Boolean> whiteout = new LinkedHashMap<>();
    for (int layer : r.layers()) {
      for (DirEntry e : fs.readdir(dirPath(layer, rel))) {
        whiteout.putIfAbsent(e.name(), isWhiteout(e.attributes()));
      }
    }
    List<String> names = new ArrayList<>();
    whiteout.forEach(
        (name, wh) -> {
          if (!wh) {
            names.add(name);
          }
        });
    names.sort(null);
    return names;
  }

  /** The extended attributes overlayfs lists for {@code r}. */
  List<String> listxattr(Resolved r) throws FsException {
    List<String> names = new ArrayList<>();
    for (String name : fs.listxattr(r.layerPath())) {
      if (!name.startsWith("trusted.overlay.")) {
        names.add(name);
      }
    }
    return names;
  }

  String readlink(Resolved r) throws FsException {
    return fs.readlink(r.layerPath());
  }

  void read(Resolved r, byte[] buffer) throws FsException {
    fs.read(r.layerPath(), buffer, 0, buffer.length);
  }

  /** The path of {@code r}'s topmost entry inside its layer directory. */
  private static String rel(Resolved r) {
    int slash = r.layerPath().indexOf('/', 1);
    return slash < 0 ? "" : r.layerPath().substring(slash + 1);
  }

  private static String dirPath(int layer, String rel) {
    return rel.isEmpty() ? "/" + layer : "/" + layer + "/" + rel;
  }

  private Attributes getattr(String path) throws FsException {
    try {
      return fs.getattr(path);
    } catch (FsException e) {
      if (e.errno() == Errno.ENOENT) {
        return null;
      }
      throw e;
    }
  }

  private boolean isOpaque(String path) throws FsException {
    try {
      byte[] v = fs.getxattr(path, LayerFileSystem.OPAQUE_XATTR);
      return v.length == 1 && v[0] == 'y';
    } catch (FsException e) {
      if (e.errno() == Errno.ENODATA) {
        return false;
      }
      throw e;
    }
  }

  static boolean isWhiteout(Attributes a) {
    return (a.mode() & 0170000) == 020000 && a.rdev() == 0;
  }
}
