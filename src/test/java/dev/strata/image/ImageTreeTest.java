package dev.strata.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.index.EntryType;
import dev.strata.index.IndexEntry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The merge rules, one at a time, on hand-made entries. */
class ImageTreeTest {
  private static final long MTIME = 1_700_000_000L;

  // --- entry builders -----------------------------------------------------------------------

  private static long nextOffset = 512;

  private static IndexEntry entry(
      String path, EntryType type, int mode, long size, String link, long offset) {
    return new IndexEntry(path, type, mode, 0, 0, size, MTIME, 0, link, 0, 0, Map.of(), offset);
  }

  static IndexEntry dir(String path) {
    return entry(path, EntryType.DIRECTORY, 0755, 0, "", -1);
  }

  static IndexEntry dir(String path, int mode) {
    return entry(path, EntryType.DIRECTORY, mode, 0, "", -1);
  }

  static IndexEntry file(String path) {
    return file(path, 10);
  }

  static IndexEntry file(String path, long size) {
    long offset = nextOffset;
    nextOffset += 512 + ((size + 511) / 512) * 512;
    return entry(path, EntryType.FILE, 0644, size, "", offset);
  }

  static IndexEntry symlink(String path, String target) {
    return entry(path, EntryType.SYMLINK, 0777, 0, target, -1);
  }

  static IndexEntry hardlink(String path, String target) {
    return entry(path, EntryType.HARDLINK, 0600, 0, target, -1);
  }

  static IndexEntry whiteout(String path) {
    int slash = path.lastIndexOf('/');
    return file(path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1), 0);
  }

  static IndexEntry opaque(String dir) {
    return file(dir.isEmpty() ? ".wh..wh..opq" : dir + "/.wh..wh..opq", 0);
  }

  static LayerEntries layer(int index, IndexEntry... entries) {
    return new LayerEntries(index, "sha256:layer" + index, List.of(entries));
  }

  static ImageTree merge(LayerEntries... layers) throws InvalidLayerException {
    return ImageTree.merge(List.of(layers));
  }

  static Node node(ImageTree tree, String path) {
    return tree.lookup(path).orElseThrow(() -> new AssertionError("no node " + path));
  }

  static List<String> paths(ImageTree tree) {
    return tree.walk().map(Node::path).toList();
  }

  // --- the root, queries, numbering ---------------------------------------------------------

  @Nested
  class RootAndQueries {
    @Test
    void anEmptyImageIsAnImplicitRootDirectory() throws Exception {
      ImageTree tree = ImageTree.merge(List.of());
      Node root = tree.root();
      assertThat(root.path()).isEmpty();
      assertThat(root.name()).isEmpty();
      assertThat(root.isRoot()).isTrue();
      assertThat(root.type()).isEqualTo(EntryType.DIRECTORY);
      assertThat(root.mode()).isEqualTo(0755);
      assertThat(root.uid()).isZero();
      assertThat(root.mtimeSeconds()).isZero();
      assertThat(root.nlink()).isEqualTo(2);
      assertThat(root.inode()).isEqualTo(1);
      assertThat(root.stMode()).isEqualTo(040755);
      assertThat(tree.children(root)).isEmpty();
      assertThat(tree.size()).isEqualTo(1);
      assertThat(tree.lookup("")).contains(root);
    }

    @Test
    void aRootEntrySetsTheRootsMetadata() throws Exception {
      ImageTree tree = merge(layer(0, dir("", 0700), file("a")), layer(1, file("b")));
      assertThat(tree.root().mode()).isEqualTo(0700);
      assertThat(tree.root().mtimeSeconds()).isEqualTo(MTIME);
      assertThat(tree.root().layerIndex()).isZero();
    }

    @Test
    void aRootThatIsNotADirectoryIsRefused() {
      assertThatThrownBy(() -> merge(layer(3, file("", 0))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessage(
              "layer 3 (sha256:layer3): entry '/': the root must be a directory, not a regular"
                  + " file");
    }

    @Test
    void childrenAreSortedByCodePointAndLookupsWork() throws Exception {
      ImageTree tree =
          merge(
              layer(
                  0,
                  file("b"),
                  file("a"),
                  file("B"),
                  file("é"),
                  file("\uFFFD"),
                  file("😀"),
                  dir("d"),
                  file("d/x")));
      assertThat(tree.children(tree.root()))
          .extracting(Node::name)
          .containsExactly("B", "a", "b", "d", "é", "\uFFFD", "😀");
      Node d = node(tree, "d");
      assertThat(tree.lookup(d, "x")).contains(node(tree, "d/x"));
      assertThat(tree.lookup(tree.root(), "d")).contains(d);
      assertThat(tree.lookup(d, "nope")).isEmpty();
      assertThat(tree.lookup(d, "")).isEmpty();
      assertThat(tree.lookup(node(tree, "a"), "x")).isEmpty();
      assertThat(tree.children(node(tree, "a"))).isEmpty();
      assertThat(tree.lookup("/d")).isEmpty();
      assertThat(tree.lookup("d/")).isEmpty();
      assertThat(node(tree, "d/x").parentPath()).isEqualTo("d");
      assertThatThrownBy(() -> tree.children(tree.root()).add(d))
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void walkIsDepthFirstInNameOrder() throws Exception {
      ImageTree tree =
          merge(layer(0, file("z"), file("a/y"), file("a/b/x"), dir("m"), file("a/c")));
      assertThat(paths(tree)).containsExactly("", "a", "a/b", "a/b/x", "a/c", "a/y", "m", "z");
      assertThat(tree.size()).isEqualTo(8);
    }

    @Test
    void inodesAreBreadthFirstInNameOrderAndStable() throws Exception {
      LayerEntries l0 = layer(0, file("b"), file("a/y"), file("a/x"), hardlink("c", "a/x"));
      ImageTree tree = merge(l0);
      assertThat(node(tree, "").inode()).isEqualTo(1);
      assertThat(node(tree, "a").inode()).isEqualTo(2);
      assertThat(node(tree, "b").inode()).isEqualTo(3);
      assertThat(node(tree, "c").inode()).isEqualTo(4);
      assertThat(node(tree, "a/x").inode()).isEqualTo(4); // the same inode as c
      assertThat(node(tree, "a/y").inode()).isEqualTo(5);

      ImageTree again = merge(l0);
      assertThat(again.walk().map(Node::inode).toList())
          .isEqualTo(tree.walk().map(Node::inode).toList());
    }

    @Test
    void directoryLinkCountIsTwoPlusSubdirectories() throws Exception {
      ImageTree tree = merge(layer(0, file("a/b/f"), dir("a/c"), file("a/f"), dir("e")));
      assertThat(node(tree, "").nlink()).isEqualTo(4);
      assertThat(node(tree, "a").nlink()).isEqualTo(4);
      assertThat(node(tree, "a/b").nlink()).isEqualTo(2);
      assertThat(node(tree, "e").nlink()).isEqualTo(2);
    }

    @Test
    void nodesCarryTheirEntrysMetadataAndContentLocation() throws Exception {
      IndexEntry f =
          new IndexEntry(
              "bin/su",
              EntryType.FILE,
              04755,
              1000,
              2000,
              1234,
              MTIME,
              123456789,
              "",
              0,
              0,
              Map.of("user.a", "b".getBytes(StandardCharsets.UTF_8)),
              4096);
      IndexEntry chr =
          new IndexEntry(
              "dev/tty", EntryType.CHAR_DEVICE, 0620, 0, 5, 0, MTIME, 0, "", 4, 1, Map.of(), -1);
      IndexEntry blk =
          new IndexEntry(
              "dev/big",
              EntryType.BLOCK_DEVICE,
              0660,
              0,
              6,
              0,
              1,
              0,
              "",
              5000,
              70000,
              Map.of(),
              -1);
      IndexEntry fifo =
          new IndexEntry("run/p", EntryType.FIFO, 0600, 0, 0, 0, 2, 0, "", 0, 0, Map.of(), -1);
      ImageTree tree = merge(layer(7, f, chr, blk, fifo, symlink("ü", "/etc/ü")));

      Node su = node(tree, "bin/su");
      assertThat(su.type()).isEqualTo(EntryType.FILE);
      assertThat(su.mode()).isEqualTo(04755);
      assertThat(su.stMode()).isEqualTo(0104755);
      assertThat(su.uid()).isEqualTo(1000);
      assertThat(su.gid()).isEqualTo(2000);
      assertThat(su.size()).isEqualTo(1234);
      assertThat(su.mtimeNanos()).isEqualTo(123456789);
      assertThat(su.xattrs()).containsOnlyKeys("user.a");
      assertThat(su.layerIndex()).isEqualTo(7);
      assertThat(su.payloadOffset()).isEqualTo(4096);
      assertThat(su.nlink()).isEqualTo(1);
      assertThat(su.rdev()).isZero();

      Node tty = node(tree, "dev/tty");
      assertThat(tty.stMode()).isEqualTo(020620);
      assertThat(tty.devMajor()).isEqualTo(4);
      assertThat(tty.devMinor()).isEqualTo(1);
      assertThat(tty.rdev()).isEqualTo((4 << 8) | 1);
      assertThat(tty.payloadOffset()).isEqualTo(-1);
      Node big = node(tree, "dev/big");
      assertThat(big.stMode()).isEqualTo(060660);
      assertThat(big.rdev()).isEqualTo(0x1000_1113_8870L); // glibc makedev(5000, 70000)
      assertThat(node(tree, "run/p").stMode()).isEqualTo(010600);

      Node link = node(tree, "ü");
      assertThat(link.linkTarget()).isEqualTo("/etc/ü");
      assertThat(link.size()).isEqualTo(7); // bytes of the UTF-8 target, as lstat says
      assertThat(link.mode()).isEqualTo(0777);
      assertThat(link.stMode()).isEqualTo(0120777);
      assertThat(link.payloadOffset()).isEqualTo(-1);
    }
  }

  // --- replacement --------------------------------------------------------------------------

  @Nested
  class Replacement {
    @Test
    void aLaterEntryOfTheSameLayerWins() throws Exception {
      IndexEntry second = file("f", 20);
      ImageTree tree = merge(layer(0, file("f", 10), second));
      assertThat(node(tree, "f").size()).isEqualTo(20);
      assertThat(node(tree, "f").payloadOffset()).isEqualTo(second.payloadOffset());
    }

    @Test
    void anUpperLayerWins() throws Exception {
      ImageTree tree = merge(layer(0, file("f", 10)), layer(1, symlink("f", "x")));
      assertThat(node(tree, "f").type()).isEqualTo(EntryType.SYMLINK);
      assertThat(node(tree, "f").layerIndex()).isEqualTo(1);
    }

    @Test
    void aDirectoryOverADirectoryKeepsTheChildrenWithTheUpperMetadata() throws Exception {
      ImageTree tree =
          merge(layer(0, dir("d", 0755), file("d/a")), layer(1, dir("d", 0700), file("d/b")));
      assertThat(node(tree, "d").mode()).isEqualTo(0700);
      assertThat(node(tree, "d").layerIndex()).isEqualTo(1);
      assertThat(tree.children(node(tree, "d"))).extracting(Node::name).containsExactly("a", "b");
    }

    @Test
    void aNonDirectoryOverADirectoryRemovesTheSubtree() throws Exception {
      ImageTree across = merge(layer(0, file("d/a/b"), file("d/c")), layer(1, file("d")));
      assertThat(paths(across)).containsExactly("", "d");
      ImageTree within = merge(layer(0, dir("d"), file("d/a"), symlink("d", "/x"), file("e")));
      assertThat(paths(within)).containsExactly("", "d", "e");
      assertThat(node(within, "d").type()).isEqualTo(EntryType.SYMLINK);
    }

    @Test
    void aDirectoryOverAFileOrSymlinkReplacesIt() throws Exception {
      ImageTree tree =
          merge(
              layer(0, file("f"), symlink("lib", "usr/lib"), file("usr/lib/x")),
              layer(1, dir("f"), file("f/in"), dir("lib"), file("lib/y")));
      assertThat(node(tree, "f").type()).isEqualTo(EntryType.DIRECTORY);
      assertThat(node(tree, "lib").type()).isEqualTo(EntryType.DIRECTORY);
      assertThat(paths(tree))
          .containsExactly("", "f", "f/in", "lib", "lib/y", "usr", "usr/lib", "usr/lib/x");
    }

    @Test
    void missingParentsAreCreatedAsRootOwned0755Directories() throws Exception {
      ImageTree tree = merge(layer(0, dir("a", 0700)), layer(4, file("a/b/c/f")));
      assertThat(node(tree, "a").mode()).isEqualTo(0700); // existing: untouched
      Node b = node(tree, "a/b");
      assertThat(b.type()).isEqualTo(EntryType.DIRECTORY);
      assertThat(b.mode()).isEqualTo(0755);
      assertThat(b.uid()).isZero();
      assertThat(b.gid()).isZero();
      assertThat(b.mtimeSeconds()).isZero();
      assertThat(b.layerIndex()).isEqualTo(4);
      assertThat(b.xattrs()).isEmpty();
      assertThat(node(tree, "a/b/c").nlink()).isEqualTo(2);
    }

    @Test
    void aLowerNonDirectoryInTheWayOfAParentIsReplacedByADirectory() throws Exception {
      ImageTree tree = merge(layer(0, file("a"), file("b")), layer(1, file("a/x")));
      assertThat(node(tree, "a").type()).isEqualTo(EntryType.DIRECTORY);
      assertThat(node(tree, "a").mode()).isEqualTo(0755);
      assertThat(paths(tree)).containsExactly("", "a", "a/x", "b");
    }

    @Test
    void aSameLayerNonDirectoryInTheWayOfAParentIsAnError() {
      assertThatThrownBy(() -> merge(layer(0, file("a"), file("a/x"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessage(
              "layer 0 (sha256:layer0): entry 'a/x': its parent 'a' is a regular file of this"
                  + " same layer, not a directory");
    }
  }

  // --- whiteouts ----------------------------------------------------------------------------

  @Nested
  class WhiteoutRules {
    @Test
    void aWhiteoutRemovesTheLowerPathAndItsSubtree() throws Exception {
      ImageTree tree =
          merge(
              layer(0, file("etc/a"), file("etc/b"), file("var/lib/x/y")),
              layer(1, whiteout("etc/a"), whiteout("var/lib")),
              layer(2, file("z")));
      assertThat(paths(tree)).containsExactly("", "etc", "etc/b", "var", "z");
    }

    @Test
    void aWhiteoutKeepsItsOwnLayersEntryWhicheverComesFirst() throws Exception {
      ImageTree before =
          merge(layer(0, file("f", 1)), layer(1, file("f", 2), whiteout("f"), file("g")));
      ImageTree after = merge(layer(0, file("f", 1)), layer(1, whiteout("f"), file("f", 2)));
      assertThat(node(before, "f").size()).isEqualTo(2);
      assertThat(node(after, "f").size()).isEqualTo(2);
      ImageTree alone = merge(layer(0, file("n", 3), whiteout("n")));
      assertThat(node(alone, "n").size()).isEqualTo(3);
    }

    @Test
    void aWhiteoutOfADirectoryKeepsWhatItsOwnLayerPutInside() throws Exception {
      ImageTree tree =
          merge(layer(0, file("d/old")), layer(1, dir("d", 0700), file("d/new"), whiteout("d")));
      assertThat(paths(tree)).containsExactly("", "d", "d/new");
      assertThat(node(tree, "d").mode()).isEqualTo(0700);
    }

    @Test
    void anOpaqueDirectoryHidesLowerChildrenButKeepsItsOwnLayersWhicheverComesFirst()
        throws Exception {
      LayerEntries lower = layer(0, dir("d", 0750), file("d/a"), file("d/sub/b"), file("e"));
      ImageTree markerFirst = merge(lower, layer(1, opaque("d"), file("d/n1")));
      ImageTree markerLast = merge(lower, layer(1, file("d/n1"), opaque("d")));
      for (ImageTree tree : List.of(markerFirst, markerLast)) {
        assertThat(paths(tree)).containsExactly("", "d", "d/n1", "e");
        assertThat(node(tree, "d").mode()).isEqualTo(0750); // the directory itself stays
      }
      ImageTree emptied = merge(lower, layer(1, opaque("d")));
      assertThat(paths(emptied)).containsExactly("", "d", "e");
    }

    @Test
    void anOpaqueRootHidesEverythingBelow() throws Exception {
      ImageTree tree =
          merge(layer(0, dir("", 0700), file("a"), file("b/c")), layer(1, opaque(""), file("x")));
      assertThat(paths(tree)).containsExactly("", "x");
      assertThat(tree.root().mode()).isEqualTo(0700);
    }

    @Test
    void aWhiteoutOfSomethingMissingChangesNothingButItsDirectoryExists() throws Exception {
      ImageTree tree = merge(layer(0, file("a")), layer(1, whiteout("nothing"), whiteout("n/x")));
      assertThat(paths(tree)).containsExactly("", "a", "n");
    }

    @Test
    void aWhiteoutOnlyAffectsLowerLayersNotUpperOnes() throws Exception {
      ImageTree tree =
          merge(layer(0, file("f", 1)), layer(1, whiteout("f")), layer(2, file("f", 3)));
      assertThat(node(tree, "f").size()).isEqualTo(3);
      assertThat(node(tree, "f").layerIndex()).isEqualTo(2);
    }

    @Test
    void whiteoutFilesAndAufsMetadataNeverAppear() throws Exception {
      ImageTree tree =
          merge(
              layer(
                  0,
                  file(".wh..wh.aufs"),
                  dir(".wh..wh.orph"),
                  file(".wh..wh.orph/x"),
                  file("d/.wh..wh.something"),
                  whiteout("d/x"),
                  opaque("d")));
      assertThat(paths(tree)).containsExactly("", "d");
    }

    @Test
    void hardlinksIntoTheAufsLinkDirectoryResolve() throws Exception {
      IndexEntry plnk = file(".wh..wh.plnk/12.34", 99);
      ImageTree tree =
          merge(layer(0, dir(".wh..wh.plnk"), plnk, hardlink("a", ".wh..wh.plnk/12.34")));
      assertThat(paths(tree)).containsExactly("", "a");
      assertThat(node(tree, "a").size()).isEqualTo(99);
      assertThat(node(tree, "a").payloadOffset()).isEqualTo(plnk.payloadOffset());
      assertThat(node(tree, "a").nlink()).isEqualTo(1);

      assertThatThrownBy(() -> merge(layer(0, hardlink("a", ".wh..wh.plnk/none"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessageContaining("'.wh..wh.plnk/none' is not a file of this layer");
    }

    @Test
    void aWhiteoutOfTheRootIsRefused() {
      for (String name : List.of(".wh.", ".wh..", ".wh...")) {
        assertThatThrownBy(() -> merge(layer(0, file("a")), layer(1, file(name, 0))))
            .as(name)
            .isInstanceOf(InvalidLayerException.class)
            .hasMessageStartingWith("layer 1 (sha256:layer1): entry '" + name + "': whiteout of")
            .hasMessageContaining("(the root)");
      }
      assertThatThrownBy(() -> merge(layer(2, file("d/.wh..", 0))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessage(
              "layer 2 (sha256:layer2): entry 'd/.wh..': whiteout of '.' would remove its own"
                  + " directory");
    }

    @Test
    void aWhiteoutNameUsedAsADirectoryIsRefused() {
      assertThatThrownBy(() -> merge(layer(0, file("a/.wh.b/c"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessage(
              "layer 0 (sha256:layer0): entry 'a/.wh.b/c': the whiteout name '.wh.b' is used as a"
                  + " directory; whiteouts are files");
    }

    @Test
    void aWhiteoutThroughALowerSymlinkIsRefusedNotFollowed() {
      assertThatThrownBy(
              () ->
                  merge(
                      layer(0, symlink("a", "/etc"), file("etc/passwd")),
                      layer(1, whiteout("a/passwd"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessageContaining("entry 'a/.wh.passwd': its path goes through the symlink 'a'");
    }

    @Test
    void aWhiteoutBelowADirectoryThatReplacedASymlinkEarlierInTheLayerIsFine() throws Exception {
      ImageTree tree =
          merge(
              layer(0, symlink("a", "etc"), file("etc/passwd")),
              layer(1, dir("a"), whiteout("a/passwd")));
      assertThat(paths(tree)).containsExactly("", "a", "etc", "etc/passwd");
    }
  }

  // --- hardlinks ----------------------------------------------------------------------------

  @Nested
  class Hardlinks {
    @Test
    void linksShareTheTargetsInodeMetadataAndContent() throws Exception {
      IndexEntry target =
          new IndexEntry(
              "bin/sh",
              EntryType.FILE,
              04711,
              5,
              6,
              77,
              MTIME,
              9,
              "",
              0,
              0,
              Map.of("user.x", new byte[] {1}),
              8192);
      ImageTree tree =
          merge(
              layer(0, target, hardlink("bin/bash", "bin/sh")),
              layer(1, hardlink("usr/bin/sh", "bin/bash")));
      Node sh = node(tree, "bin/sh");
      for (String path : List.of("bin/bash", "usr/bin/sh")) {
        Node link = node(tree, path);
        assertThat(link.type()).isEqualTo(EntryType.FILE);
        assertThat(link.inode()).isEqualTo(sh.inode());
        assertThat(link.nlink()).isEqualTo(3);
        assertThat(link.mode()).isEqualTo(04711); // not the link entry's 0600
        assertThat(link.uid()).isEqualTo(5);
        assertThat(link.gid()).isEqualTo(6);
        assertThat(link.mtimeNanos()).isEqualTo(9);
        assertThat(link.xattrs()).isSameAs(sh.xattrs());
        assertThat(link.size()).isEqualTo(77);
        assertThat(link.layerIndex()).isZero(); // the content lives in the target's layer
        assertThat(link.payloadOffset()).isEqualTo(8192);
      }
      assertThat(sh.nlink()).isEqualTo(3);
      Set<Long> inodes = new HashSet<>(tree.walk().map(Node::inode).toList());
      assertThat(inodes).hasSize(tree.size() - 2); // only the three links share one
    }

    @Test
    void removingOrReplacingALinkLowersTheCount() throws Exception {
      ImageTree tree =
          merge(
              layer(0, file("a"), hardlink("b", "a"), hardlink("c", "a"), hardlink("d", "a")),
              layer(1, whiteout("b"), file("c")));
      assertThat(node(tree, "a").nlink()).isEqualTo(2);
      assertThat(node(tree, "d").inode()).isEqualTo(node(tree, "a").inode());
      assertThat(node(tree, "c").nlink()).isEqualTo(1);
      assertThat(node(tree, "c").inode()).isNotEqualTo(node(tree, "a").inode());
    }

    @Test
    void aTargetReplacedAfterTheLinkKeepsTheLinkOnTheOldContent() throws Exception {
      IndexEntry original = file("f", 5);
      ImageTree tree = merge(layer(0, original, hardlink("g", "f"), file("f", 6)));
      assertThat(node(tree, "g").size()).isEqualTo(5);
      assertThat(node(tree, "g").payloadOffset()).isEqualTo(original.payloadOffset());
      assertThat(node(tree, "g").nlink()).isEqualTo(1);
      assertThat(node(tree, "f").size()).isEqualTo(6);
    }

    @Test
    void linksToSymlinksDevicesAndFifosShareTheirInode() throws Exception {
      ImageTree tree =
          merge(
              layer(
                  0,
                  symlink("s", "/target"),
                  hardlink("s2", "s"),
                  new IndexEntry(
                      "p", EntryType.FIFO, 0600, 0, 0, 0, MTIME, 0, "", 0, 0, Map.of(), -1),
                  hardlink("p2", "p")));
      assertThat(node(tree, "s2").type()).isEqualTo(EntryType.SYMLINK);
      assertThat(node(tree, "s2").linkTarget()).isEqualTo("/target");
      assertThat(node(tree, "s2").inode()).isEqualTo(node(tree, "s").inode());
      assertThat(node(tree, "p2").type()).isEqualTo(EntryType.FIFO);
      assertThat(node(tree, "p").nlink()).isEqualTo(2);
    }

    @Test
    void aLinkToAMissingTargetIsAnError() {
      assertThatThrownBy(() -> merge(layer(0, file("a")), layer(5, hardlink("x/l", "nope/f"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessage(
              "layer 5 (sha256:layer5): entry 'x/l': hardlink target 'nope/f' does not exist")
          .satisfies(
              e -> {
                InvalidLayerException ile = (InvalidLayerException) e;
                assertThat(ile.layerIndex()).isEqualTo(5);
                assertThat(ile.layerName()).isEqualTo("sha256:layer5");
                assertThat(ile.entryPath()).isEqualTo("x/l");
              });
    }

    @Test
    void aLinkToALaterEntryOfItsLayerIsAnError() {
      assertThatThrownBy(() -> merge(layer(0, hardlink("l", "f"), file("f"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessageContaining("hardlink target 'f' does not exist");
    }

    @Test
    void aLinkToADirectoryIsAnError() {
      assertThatThrownBy(() -> merge(layer(0, dir("d")), layer(1, hardlink("l", "d"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessage("layer 1 (sha256:layer1): entry 'l': hardlink target 'd' is a directory");
    }

    @Test
    void aLinkToSomethingWhitedOutIsAnErrorThatSaysSo() {
      assertThatThrownBy(
              () -> merge(layer(0, file("f")), layer(1, hardlink("l", "f"), whiteout("f"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessage(
              "layer 1 (sha256:layer1): entry 'l': hardlink target 'f' does not exist (it was"
                  + " removed by whiteout '.wh.f' of layer 1 (sha256:layer1))");
      assertThatThrownBy(
              () ->
                  merge(
                      layer(0, file("d/e/f")),
                      layer(1, opaque("d")),
                      layer(2, hardlink("l", "d/e/f"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessageEndingWith(
              "('d' was emptied by whiteout 'd/.wh..wh..opq' of layer 1 (sha256:layer1))");
      assertThatThrownBy(
              () ->
                  merge(
                      layer(0, file("d/f")),
                      layer(1, whiteout("d")),
                      layer(2, hardlink("l", "d/f"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessageEndingWith("('d' was removed by whiteout '.wh.d' of layer 1 (sha256:layer1))");
    }

    @Test
    void aLinkThroughASymlinkOrToItselfIsAnError() {
      assertThatThrownBy(
              () ->
                  merge(
                      layer(0, symlink("a", "etc"), file("etc/f")), layer(1, hardlink("l", "a/f"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessage(
              "layer 1 (sha256:layer1): entry 'l': hardlink target 'a/f' goes through the symlink"
                  + " 'a'");
      assertThatThrownBy(() -> merge(layer(0, file("f")), layer(1, hardlink("f", "f"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessageContaining("hardlink to itself");
      assertThatThrownBy(() -> merge(layer(0, file("f"), hardlink("l", "f/x"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessageContaining("hardlink target 'f/x' does not exist: 'f' is a regular file");
    }
  }

  // --- hostile paths ------------------------------------------------------------------------

  @Nested
  class HostilePaths {
    @Test
    void anEntryThroughASymlinkOfTheSameLayerIsRefused() {
      assertThatThrownBy(() -> merge(layer(0, symlink("a", "/etc"), file("a/passwd"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessage(
              "layer 0 (sha256:layer0): entry 'a/passwd': its path goes through the symlink 'a'"
                  + " (-> /etc); extracting it would write through the link, possibly outside the"
                  + " image");
    }

    @Test
    void anEntryThroughASymlinkOfALowerLayerIsRefusedAtAnyDepth() {
      assertThatThrownBy(
              () -> merge(layer(0, dir("x"), symlink("x/up", "../../..")), layer(1, dir("x/up/y"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessageContaining("layer 1 (sha256:layer1): entry 'x/up/y'")
          .hasMessageContaining("through the symlink 'x/up' (-> ../../..)");
      assertThatThrownBy(() -> merge(layer(0, symlink("l", ".")), layer(1, hardlink("l/a", "l"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessageContaining("through the symlink 'l'");
    }

    @Test
    void symlinkTargetsAreKeptVerbatimNeverResolved() throws Exception {
      ImageTree tree =
          merge(layer(0, symlink("a", "/etc/../../x"), symlink("b", "../../.."), symlink("c", "")));
      assertThat(node(tree, "a").linkTarget()).isEqualTo("/etc/../../x");
      assertThat(node(tree, "b").linkTarget()).isEqualTo("../../..");
      assertThat(node(tree, "c").linkTarget()).isEmpty();
    }

    @Test
    void unnormalizedPathsAreRefused() {
      for (String bad : List.of("/a", "a/", "a//b", "./a", "a/./b", "a/../b", "..", "a\0b")) {
        assertThatThrownBy(() -> merge(layer(0, file(bad))))
            .as(bad)
            .isInstanceOf(InvalidLayerException.class)
            .hasMessageContaining("is not");
      }
      assertThatThrownBy(() -> merge(layer(0, file("f"), hardlink("l", "../f"))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessageContaining("hardlink target '../f' is not normalized");
      assertThatThrownBy(() -> merge(layer(0, hardlink("l", ""))))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessageContaining("hardlink with an empty target");
    }

    @Test
    void aFailedMergeNamesTheLayerByIndexAndName() {
      LayerEntries named =
          new LayerEntries(2, "sha256:abc123", List.of(symlink("a", "/"), file("a/b")));
      assertThatThrownBy(() -> ImageTree.merge(List.of(layer(0), layer(1), named)))
          .isInstanceOf(InvalidLayerException.class)
          .hasMessageStartingWith("layer 2 (sha256:abc123): entry 'a/b': ");
    }
  }

  // --- scale --------------------------------------------------------------------------------

  @Test
  void mergesLargeImagesQuickly() throws Exception {
    List<LayerEntries> layers = new ArrayList<>();
    int perLayer = 70_000;
    for (int l = 0; l < 3; l++) {
      List<IndexEntry> entries = new ArrayList<>(perLayer + 100);
      for (int d = 0; d < 100; d++) {
        entries.add(dir("usr/share/d" + d));
      }
      for (int i = 0; i < perLayer; i++) {
        entries.add(file("usr/share/d" + (i % 100) + "/l" + l + "-f" + i, i));
      }
      if (l > 0) {
        entries.add(whiteout("usr/share/d" + l));
        entries.add(hardlink("usr/share/link" + l, "usr/share/d50/l0-f50"));
      }
      layers.add(new LayerEntries(l, "big" + l, entries));
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime();
    ImageTree tree = ImageTree.merge(layers);
    long cpuMillis = (threads.getCurrentThreadCpuTime() - cpuStart) / 1_000_000;
    System.out.printf(
        "merged %d entries into %d nodes in %d ms of CPU%n", 3 * perLayer, tree.size(), cpuMillis);
    // root, usr, usr/share, 100 directories, the files; minus what the whiteouts of d1 (layer 0's
    // files) and d2 (layers 0 and 1's) removed; plus two links
    assertThat(tree.size()).isEqualTo(3 + 100 + 3 * perLayer - 3 * 700 + 2);
    assertThat(node(tree, "usr/share/d50/l0-f50").nlink()).isEqualTo(3);
    assertThat(tree.children(node(tree, "usr/share/d7"))).hasSize(3 * 700);
    assertThat(tree.lookup("usr/share/d99/l2-f69999")).isPresent();
    assertThat(cpuMillis).as("CPU time of the merge").isLessThan(5000);
  }
}
