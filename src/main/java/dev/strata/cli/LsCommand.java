package dev.strata.cli;

import dev.strata.image.ImageTree;
import dev.strata.image.Node;
import dev.strata.index.EntryPaths;
import dev.strata.registry.RegistryClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code strata ls IMAGE [PATH] [-l] [-R]}: the merged tree, {@code ls}-like, from the indexes. */
@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    description = "List the merged image tree (from the layer indexes; no file data is read).")
final class LsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  @ParentCommand StrataCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE")
  String image;

  @Parameters(index = "1", paramLabel = "PATH", defaultValue = "/", description = "default: /")
  String path;

  @Option(names = "-l", description = "Long listing: mode, links, owner, size, mtime, link target.")
  boolean longFormat;

  @Option(names = "-R", description = "List subdirectories recursively.")
  boolean recursive;

  @Override
  public Integer call() throws Exception {
    ImageTree tree;
    var contentCache = root.global.contentCacheClient();
    try (RegistryClient client = root.global.registryClient(contentCache)) {
      tree = LoadedImage.load(root.global, client, contentCache, image).tree();
    } finally {
      contentCache.ifPresent(dev.strata.contentcache.client.ContentCacheClient::close);
    }
    String normalized = EntryPaths.normalize("/" + path);
    Node node =
        tree.lookup(normalized)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no such file or directory in " + image + ": " + path));
    PrintWriter out = spec.commandLine().getOut();
    if (!node.isDirectory()) {
      out.println(line(node, node.path()));
    } else {
      list(tree, node, out, false);
    }
    out.flush();
    return 0;
  }

  private void list(ImageTree tree, Node dir, PrintWriter out, boolean header) {
    List<Node> children = tree.children(dir);
    if (header) {
      out.println();
      out.println("/" + dir.path() + ":");
    }
    for (Node child : children) {
      out.println(line(child, child.name()));
    }
    if (recursive) {
      for (Node child : children) {
        if (child.isDirectory()) {
          list(tree, child, out, true);
        }
      }
    }
  }

  private String line(Node node, String name) {
    String shown = node.isSymlink() ? name + " -> " + node.linkTarget() : name;
    if (!longFormat) {
      return shown;
    }
    String size =
        node.rdev() != 0 || node.devMajor() != 0 || node.devMinor() != 0
            ? node.devMajor() + ", " + node.devMinor()
            : String.valueOf(node.size());
    return String.format(
        "%s %3d %5d %5d %10s %s %s",
        modeString(node.stMode()),
        node.nlink(),
        node.uid(),
        node.gid(),
        size,
        TIME.format(Instant.ofEpochSecond(node.mtimeSeconds())),
        shown);
  }

  /** {@code drwxr-xr-x}, with s/S, t/T for setuid, setgid and sticky, as ls shows them. */
  static String modeString(int stMode) {
    char type =
        switch (stMode & Node.S_IFMT) {
          case 0040000 -> 'd';
          case 0120000 -> 'l';
          case 0020000 -> 'c';
          case 0060000 -> 'b';
          case 0010000 -> 'p';
          default -> '-';
        };
    StringBuilder s = new StringBuilder().append(type);
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      s.append((stMode & (1 << (8 - i))) != 0 ? rwx.charAt(i) : '-');
    }
    special(s, 3, (stMode & 04000) != 0, 's');
    special(s, 6, (stMode & 02000) != 0, 's');
    special(s, 9, (stMode & 01000) != 0, 't');
    return s.toString();
  }

  private static void special(StringBuilder s, int at, boolean set, char letter) {
    if (set) {
      s.setCharAt(at, s.charAt(at) == 'x' ? letter : Character.toUpperCase(letter));
    }
  }
}
