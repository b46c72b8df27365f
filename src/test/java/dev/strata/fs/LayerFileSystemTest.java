package dev.strata.fs;

import static dev.strata.fs.Errnos.errno;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.fs.ReadOnlyFileSystem.Attributes;
import dev.strata.fs.ReadOnlyFileSystem.DirEntry;
import dev.strata.image.InvalidLayerException;
import dev.strata.image.LayerEntries;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LayerFileSystemTest {
  private static final int WHITEOUT_MODE = 020000; // S_IFCHR, permissions 0

  private static LayerFileSystem fs(FakeContent content, TestLayer... layers)
      throws InvalidLayerException {
    List<LayerEntries> entries = new ArrayList<>();
    for (TestLayer layer : layers) {
      entries.add(layer.entries());
    }
    return new LayerFileSystem(entries, content);
  }

  private static LayerFileSystem fs(TestLayer... layers) throws InvalidLayerException {
    return fs(new FakeContent(layers), layers);
  }

  private static List<String> names(ReadOnlyFileSystem fs, String path) throws FsException {
    return fs.readdir(path).stream().map(DirEntry::name).toList();
  }

  private static String readAll(ReadOnlyFileSystem fs, String path) throws FsException {
    byte[] buffer = new byte[(int) fs.getattr(path).size()];
    int n = fs.read(path, buffer, 0, buffer.length);
    return new String(buffer, 0, n, UTF_8);
  }

  private static void assertWhiteout(Attributes a) {
    assertThat(a.mode()).isEqualTo(WHITEOUT_MODE);
    assertThat(a.rdev()).isZero();
    assertThat(a.uid()).isZero();
    assertThat(a.gid()).isZero();
    assertThat(a.size()).isZero();
  }

  // --- the root and the layer directories -------------------------------------------------

  @Test
  void theRootHoldsOneDirectoryPerLayerNamedByPosition() throws Exception {
    LayerFileSystem fs =
        fs(new TestLayer(0).file("a", "0"), new TestLayer(1).file("b", "1"), new TestLayer(2));
    assertThat(fs.layerCount()).isEqualTo(3);
    assertThat(names(fs, "/")).containsExactly("0", "1", "2");
    Attributes root = fs.getattr("/");
    assertThat(root.inode()).isEqualTo(1);
    assertThat(root.mode()).isEqualTo(040755);
    assertThat(root.nlink()).isEqualTo(5);
    assertThat(root.uid()).isZero();
    assertThat(root.mtimeSeconds()).isZero();
    assertThat(fs.getattr("/0").inode()).isEqualTo(2);
    for (DirEntry e : fs.readdir("/")) {
      assertThat(e.attributes()).isEqualTo(fs.getattr("/" + e.name()));
      assertThat(e.attributes().mode()).isEqualTo(040755);
    }
    assertThat(LayerFileSystem.layerDirectoryName(12)).isEqualTo("12");
    assertThat(fs.overlayLowerDirs("/mnt/img")).isEqualTo("/mnt/img/2:/mnt/img/1:/mnt/img/0");
    assertThat(fs.overlayLowerDirs("/mnt/img/")).isEqualTo("/mnt/img/2:/mnt/img/1:/mnt/img/0");
  }

  @Test
  void eachLayerShowsOnlyItsOwnEntries() throws Exception {
    LayerFileSystem fs =
        fs(
            new TestLayer(0).file("etc/a", "0").file("etc/b", "0"),
            new TestLayer(1).file("etc/b", "1").file("etc/c", "1"));
    assertThat(names(fs, "/0/etc")).containsExactly("a", "b");
    assertThat(names(fs, "/1/etc")).containsExactly("b", "c");
    assertThat(readAll(fs, "/0/etc/b")).isEqualTo("0");
    assertThat(readAll(fs, "/1/etc/b")).isEqualTo("1");
  }

  @Test
  void pathsThatNameNoLayerAreEnoent() throws Exception {
    LayerFileSystem fs = fs(new TestLayer(0).file("a", "0"), new TestLayer(1));
    for (String path :
        List.of(
            "/2",
            "/01",
            "/00",
            "/x",
            "/-1",
            "/1x",
            "/0/",
            "//",
            "/0//a",
            "/0/b",
            "/99999999999",
            "/4294967297",
            "0/a",
            "")) {
      assertThat(errno(() -> fs.getattr(path))).as(path).isEqualTo(Errno.ENOENT);
    }
    assertThat(fs.getattr("/0/a").size()).isEqualTo(1);
  }

  @Test
  void anImageWithoutLayers() throws Exception {
    LayerFileSystem fs = new LayerFileSystem(List.of(), new FakeContent());
    assertThat(fs.readdir("/")).isEmpty();
    assertThat(fs.getattr("/").nlink()).isEqualTo(2);
    assertThat(fs.statfs().files()).isEqualTo(1);
    assertThat(errno(() -> fs.getattr("/0"))).isEqualTo(Errno.ENOENT);
  }

  // --- whiteouts and opaque directories ---------------------------------------------------

  @Test
  void aWhiteoutIsACharacterDevice00() throws Exception {
    LayerFileSystem fs =
        fs(
            new TestLayer(0).file("etc/a", "0").file("etc/b", "0").dir("d").file("d/x", "0"),
            new TestLayer(1).whiteout("etc/a").whiteout("d"));
    assertThat(names(fs, "/1")).containsExactly("d", "etc");
    assertThat(names(fs, "/1/etc")).containsExactly("a");
    assertWhiteout(fs.getattr("/1/etc/a"));
    assertWhiteout(fs.getattr("/1/d"));
    assertThat(fs.readdir("/1/etc").getFirst().attributes()).isEqualTo(fs.getattr("/1/etc/a"));
    assertThat(errno(() -> fs.getattr("/1/etc/.wh.a"))).isEqualTo(Errno.ENOENT);
    assertThat(errno(() -> fs.open("/1/etc/a", 1))).isEqualTo(Errno.EROFS);
    assertThat(errno(() -> fs.read("/1/etc/a", new byte[1], 0, 1))).isEqualTo(Errno.EINVAL);
  }

  @Test
  void aWhiteoutThatHidesNothingBelowIsDropped() throws Exception {
    LayerFileSystem fs =
        fs(
            new TestLayer(0).whiteout("ghost").file("a", "0"),
            new TestLayer(1).whiteout("dir/nothing").whiteout("a/below-a-file"));
    assertThat(names(fs, "/0")).containsExactly("a");
    // a whiteout's directory is there, also over a lower file (as the merged tree has it)
    assertThat(names(fs, "/1")).containsExactly("a", "dir");
    assertThat(names(fs, "/1/dir")).isEmpty();
    assertThat(names(fs, "/1/a")).isEmpty();
    assertThat(fs.getattr("/1/a").mode()).isEqualTo(040755);
  }

  @Test
  void anOpaqueDirectoryHasTheOverlayXattrAndNoMarker() throws Exception {
    LayerFileSystem fs =
        fs(
            new TestLayer(0).file("d/x", "0").file("e/y", "0"),
            new TestLayer(1).dir("d", 0700).opaque("d").file("d/z", "1").opaque("e"));
    assertThat(names(fs, "/1/d")).containsExactly("z");
    assertThat(fs.getattr("/1/d").mode()).isEqualTo(040700);
    assertThat(fs.listxattr("/1/d")).containsExactly("trusted.overlay.opaque");
    assertThat(fs.getxattr("/1/d", LayerFileSystem.OPAQUE_XATTR)).isEqualTo("y".getBytes(UTF_8));
    assertThat(names(fs, "/1/e")).isEmpty();
    assertThat(fs.getxattr("/1/e", LayerFileSystem.OPAQUE_XATTR)).isEqualTo("y".getBytes(UTF_8));
    assertThat(fs.listxattr("/0/d")).isEmpty();
    assertThat(errno(() -> fs.getxattr("/0/d", LayerFileSystem.OPAQUE_XATTR)))
        .isEqualTo(Errno.ENODATA);
  }

  @Test
  void aDirectoryWhitedOutAndCreatedAgainInOneLayerIsOpaque() throws Exception {
    LayerFileSystem fs =
        fs(
            new TestLayer(0).file("d/x", "0").file("f", "0"),
            new TestLayer(1).file("d/new", "1").whiteout("d").whiteout("f").file("f", "1"));
    assertThat(names(fs, "/1")).containsExactly("d", "f");
    assertThat(fs.getattr("/1/d").mode()).isEqualTo(040755);
    assertThat(fs.getxattr("/1/d", LayerFileSystem.OPAQUE_XATTR)).isEqualTo("y".getBytes(UTF_8));
    assertThat(fs.getattr("/1/f").mode()).isEqualTo(0100644);
    assertThat(fs.listxattr("/1/f")).isEmpty();
  }

  @Test
  void anOpaqueRootWhitesOutTheNamesBelow() throws Exception {
    LayerFileSystem fs =
        fs(
            new TestLayer(0).file("a", "0").file("b", "0").file("c", "0"),
            new TestLayer(1).whiteout("b").file("x", "1"),
            new TestLayer(2).opaque("").file("c", "2"));
    assertThat(names(fs, "/2")).containsExactly("a", "c", "x");
    assertWhiteout(fs.getattr("/2/a"));
    assertWhiteout(fs.getattr("/2/x"));
    assertThat(readAll(fs, "/2/c")).isEqualTo("2");
    assertThat(fs.listxattr("/2")).containsExactly(LayerFileSystem.OPAQUE_XATTR);
  }

  @Test
  void aufsMetadataIsHiddenAndItsHardlinksResolved() throws Exception {
    LayerFileSystem fs =
        fs(
            new TestLayer(0)
                .dir(".wh..wh.plnk")
                .file(".wh..wh.plnk/12.34", "shared")
                .hardlink("a", ".wh..wh.plnk/12.34")
                .hardlink("b", ".wh..wh.plnk/12.34")
                .file(".wh..wh.aufs", "")
                .file("d/.wh..wh.orph", ""));
    assertThat(names(fs, "/0")).containsExactly("a", "b"); // metadata makes no directory
    assertThat(fs.getattr("/0/a").inode()).isEqualTo(fs.getattr("/0/b").inode());
    assertThat(readAll(fs, "/0/b")).isEqualTo("shared");
  }

  @Test
  void overlayAttributesAnImageCarriesAreNotShown() throws Exception {
    Map<String, byte[]> x = new HashMap<>();
    x.put("trusted.overlay.opaque", "y".getBytes(UTF_8));
    x.put("trusted.overlay.redirect", "/elsewhere".getBytes(UTF_8));
    x.put("user.kept", "1".getBytes(UTF_8));
    LayerFileSystem fs =
        fs(
            new TestLayer(0)
                .dir("d", 0755, 0, 0, 5, x)
                .file("d/f", "0".getBytes(UTF_8), 0644, 0, 0, x));
    assertThat(fs.listxattr("/0/d")).containsExactly("user.kept");
    assertThat(fs.listxattr("/0/d/f")).containsExactly("user.kept");
  }

  // --- hardlinks ---------------------------------------------------------------------------

  @Test
  void hardlinksWithinALayerShareInodeAndContent() throws Exception {
    LayerFileSystem fs =
        fs(new TestLayer(0), new TestLayer(1).file("bin/a", "tool").hardlink("bin/b", "bin/a"));
    Attributes a = fs.getattr("/1/bin/a");
    assertThat(fs.getattr("/1/bin/b")).isEqualTo(a);
    assertThat(a.nlink()).isEqualTo(2);
    assertThat(readAll(fs, "/1/bin/b")).isEqualTo("tool");
  }

  @Test
  void aHardlinkToALowerLayersFileCopiesItUpAndReadsTheLowerBytes() throws Exception {
    TestLayer l0 = new TestLayer(0).file("pad", "padding").dir("usr", 0750);
    l0.file(
        "usr/tool", "lower bytes".getBytes(UTF_8), 04711, 7, 8, Map.of("user.a", new byte[] {9}));
    TestLayer l1 = new TestLayer(1).file("other", "upper").hardlink("bin/tool", "usr/tool");
    FakeContent content = new FakeContent(l0, l1);
    LayerFileSystem fs = fs(content, l0, l1);

    assertThat(names(fs, "/1")).containsExactly("bin", "other", "usr");
    assertThat(names(fs, "/1/usr")).containsExactly("tool");
    Attributes lower = fs.getattr("/0/usr/tool");
    Attributes copy = fs.getattr("/1/usr/tool");
    Attributes link = fs.getattr("/1/bin/tool");
    assertThat(link).isEqualTo(copy);
    assertThat(copy.nlink()).isEqualTo(2);
    assertThat(copy.inode()).isNotEqualTo(lower.inode());
    assertThat(copy.mode()).isEqualTo(lower.mode()).isEqualTo(0104711);
    assertThat(copy.uid()).isEqualTo(7);
    assertThat(copy.mtimeNanos()).isEqualTo(lower.mtimeNanos());
    assertThat(fs.getxattr("/1/bin/tool", "user.a")).containsExactly(9);
    assertThat(fs.listxattr("/1/bin/tool")).containsExactly("user.a");
    // the copied-up parent keeps the lower directory's metadata
    assertThat(fs.getattr("/1/usr").mode()).isEqualTo(040750);

    assertThat(readAll(fs, "/1/bin/tool")).isEqualTo("lower bytes");
    assertThat(readAll(fs, "/1/other")).isEqualTo("upper");
    assertThat(content.reads())
        .extracting(FakeContent.Read::layer)
        .containsExactly(0, 1); // the link's bytes come from layer 0
  }

  @Test
  void aHardlinkToAFileReplacedLaterInTheSameLayerKeepsTheOldContent() throws Exception {
    LayerFileSystem fs =
        fs(
            new TestLayer(0).file("t", "old"),
            new TestLayer(1).hardlink("keep", "t").file("t", "new"));
    assertThat(readAll(fs, "/1/keep")).isEqualTo("old");
    assertThat(readAll(fs, "/1/t")).isEqualTo("new");
    assertThat(fs.getattr("/1/keep").nlink()).isEqualTo(1);
  }

  @Test
  void aHardlinkToNothingIsRefused() {
    assertThatThrownBy(() -> fs(new TestLayer(0), new TestLayer(1).hardlink("x", "missing")))
        .isInstanceOf(InvalidLayerException.class)
        .hasMessageContaining("missing");
  }

  // --- implicit directories ---------------------------------------------------------------

  @Test
  void anImplicitDirectoryTakesTheLowerDirectorysMetadata() throws Exception {
    LayerFileSystem fs =
        fs(
            new TestLayer(0)
                .dir("", 0700, 0, 0, 11, Map.of())
                .dir("usr", 0750, 5, 6, 12, Map.of("user.d", new byte[] {1})),
            new TestLayer(1).file("usr/bin/x", "1").file("new/y", "1"));
    Attributes usr = fs.getattr("/1/usr");
    assertThat(usr.mode()).isEqualTo(040750);
    assertThat(usr.uid()).isEqualTo(5);
    assertThat(usr.gid()).isEqualTo(6);
    assertThat(usr.mtimeSeconds()).isEqualTo(12);
    assertThat(usr.mtimeNanos()).isEqualTo(7);
    assertThat(fs.listxattr("/1/usr")).containsExactly("user.d");
    for (String fresh : List.of("/1/usr/bin", "/1/new")) {
      Attributes a = fs.getattr(fresh);
      assertThat(a.mode()).isEqualTo(040755);
      assertThat(a.uid()).isZero();
      assertThat(a.mtimeSeconds()).isZero();
    }
    // a layer without a root entry shows the root below
    assertThat(fs.getattr("/1").mode()).isEqualTo(040700);
    assertThat(fs.getattr("/1").mtimeSeconds()).isEqualTo(11);
    assertThat(fs.getattr("/0").mode()).isEqualTo(040700);
  }

  @Test
  void anImplicitDirectoryOfAnEmptyImageIs0755() throws Exception {
    LayerFileSystem fs = fs(new TestLayer(0).file("a/b", "0"));
    assertThat(fs.getattr("/0").mode()).isEqualTo(040755);
    assertThat(fs.getattr("/0/a").mode()).isEqualTo(040755);
    assertThat(fs.getattr("/0/a").mtimeSeconds()).isZero();
  }

  @Test
  void anImplicitDirectoryWhoseLowerOneThisLayerRemovedIs0755() throws Exception {
    LayerFileSystem fs =
        fs(
            new TestLayer(0).dir("gone", 0700).dir("emptied", 0700).dir("emptied/sub", 0700),
            new TestLayer(1)
                .whiteout("gone")
                .file("gone/x", "1")
                .opaque("emptied")
                .file("emptied/sub/y", "1"));
    assertThat(fs.getattr("/1/gone").mode()).isEqualTo(040755);
    assertThat(fs.getxattr("/1/gone", LayerFileSystem.OPAQUE_XATTR)).isEqualTo("y".getBytes(UTF_8));
    assertThat(fs.getattr("/1/emptied").mode()).isEqualTo(040700); // kept, emptied
    assertThat(fs.getattr("/1/emptied/sub").mode()).isEqualTo(040755);
  }

  // --- inodes, reads, statfs --------------------------------------------------------------

  @Test
  void inodesAreUniqueAcrossTheMount() throws Exception {
    LayerFileSystem fs =
        fs(
            new TestLayer(0).file("a", "0").file("d/b", "0").hardlink("d/c", "a"),
            new TestLayer(1).file("a", "1").whiteout("d/b").dir("e"),
            new TestLayer(2).hardlink("h", "a").file("x/y/z", "2"));
    Map<Long, String> seen = new HashMap<>();
    List<String> paths = new ArrayList<>();
    walk(fs, "/", paths);
    for (String path : paths) {
      long inode = fs.getattr(path).inode();
      String other = seen.putIfAbsent(inode, path);
      if (other != null) {
        assertThat(List.of(other, path))
            .as("inode %d", inode)
            .isIn(List.of("/0/a", "/0/d/c"), List.of("/2/a", "/2/h"));
      }
    }
    assertThat(paths).contains("/2/a", "/2/h", "/1/d/b", "/2/x/y/z");
    assertThat(readAll(fs, "/2/h")).isEqualTo("1");
  }

  private static void walk(ReadOnlyFileSystem fs, String path, List<String> out)
      throws FsException {
    out.add(path);
    if ((fs.getattr(path).mode() & 0170000) == 040000) {
      for (DirEntry e : fs.readdir(path)) {
        walk(fs, path.equals("/") ? "/" + e.name() : path + "/" + e.name(), out);
      }
    }
  }

  @Test
  void readsGoToTheRightLayerAtTheRightOffset() throws Exception {
    TestLayer l0 = new TestLayer(0).file("f", "layer zero");
    TestLayer l1 = new TestLayer(1).file("pad", "p").file("f", "layer one!");
    FakeContent content = new FakeContent(l0, l1);
    LayerFileSystem fs = fs(content, l0, l1);
    byte[] buffer = new byte[100];
    int n = fs.read("/1/f", buffer, 6, 100);
    assertThat(new String(buffer, 0, n, UTF_8)).isEqualTo("one!");
    n = fs.read("/0/f", buffer, 0, 5);
    assertThat(new String(buffer, 0, n, UTF_8)).isEqualTo("layer");
    long f1 = l1.entries().entries().get(1).payloadOffset();
    long f0 = l0.entries().entries().get(0).payloadOffset();
    assertThat(content.reads())
        .containsExactly(new FakeContent.Read(1, f1 + 6, 4), new FakeContent.Read(0, f0, 5));
    content.failing.set(true);
    assertThat(errno(() -> fs.read("/1/f", buffer, 0, 1))).isEqualTo(Errno.EIO);
  }

  @Test
  void theOtherCallsWorkAsOnTheMergedView() throws Exception {
    LayerFileSystem fs =
        fs(new TestLayer(0).symlink("l", "/target").dir("d").fifo("p").file("f", "x"));
    assertThat(fs.readlink("/0/l")).isEqualTo("/target");
    assertThat(errno(() -> fs.readlink("/0/d"))).isEqualTo(Errno.EINVAL);
    assertThat(errno(() -> fs.readlink("/0"))).isEqualTo(Errno.EINVAL);
    assertThat(errno(() -> fs.readdir("/0/f"))).isEqualTo(Errno.ENOTDIR);
    assertThat(errno(() -> fs.readdir("/0/nope"))).isEqualTo(Errno.ENOENT);
    assertThat(errno(() -> fs.open("/0", 0))).isEqualTo(Errno.EISDIR);
    assertThat(errno(() -> fs.open("/", 0))).isEqualTo(Errno.EISDIR);
    assertThat(errno(() -> fs.open("/0/f", 2))).isEqualTo(Errno.EROFS);
    fs.open("/0/f", 0);
    assertThat(errno(() -> fs.readlink("/"))).isEqualTo(Errno.EINVAL);
    assertThat(fs.listxattr("/")).isEmpty();
    assertThat(errno(() -> fs.getxattr("/", "user.x"))).isEqualTo(Errno.ENODATA);
    assertThat(fs.getattr("/0/p").mode()).isEqualTo(010600);
  }

  @Test
  void statfsCountsEveryLayerDirectory() throws Exception {
    LayerFileSystem fs =
        fs(
            new TestLayer(0).file("a", new byte[4096], 0644, 0, 0, Map.of()),
            new TestLayer(1).file("a", new byte[10], 0644, 0, 0, Map.of()).hardlink("b", "a"));
    ReadOnlyFileSystem.StatFs statFs = fs.statfs();
    assertThat(statFs.blockSize()).isEqualTo(4096);
    assertThat(statFs.blocks()).isEqualTo(2);
    assertThat(statFs.files()).isEqualTo(1 + 2 + 3);
    assertThat(statFs.nameMax()).isEqualTo(255);
  }

  @Test
  void readingTheWholeFileAcrossTheBoundary() throws Exception {
    byte[] data = new byte[3000];
    Arrays.fill(data, (byte) 'q');
    LayerFileSystem fs = fs(new TestLayer(0).file("big", data, 0644, 0, 0, Map.of()));
    byte[] buffer = new byte[4096];
    assertThat(fs.read("/0/big", buffer, 2990, 4096)).isEqualTo(10);
    assertThat(fs.read("/0/big", buffer, 3000, 4096)).isZero();
  }
}
