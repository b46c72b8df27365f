package dev.strata.fs;

import static dev.strata.fs.Errnos.errno;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.fs.ReadOnlyFileSystem.Attributes;
import dev.strata.fs.ReadOnlyFileSystem.DirEntry;
import dev.strata.image.ImageTree;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ImageFileSystemTest {
  private static final byte[] CONTENT = "0123456789abcdefghij".getBytes(UTF_8); // 20 bytes

  private TestLayer l0;
  private TestLayer l1;
  private FakeContent content;
  private ImageTree tree;
  private ImageFileSystem fs;

  @BeforeEach
  void image() throws Exception {
    l0 =
        new TestLayer(0)
            .dir("", 0750)
            .dir("etc", 0755, 0, 0, 1_600_000_000L, Map.of())
            .file("etc/passwd", "root:x:0:0\n")
            .file(
                "bin/su",
                CONTENT,
                04755,
                1000,
                2000,
                Map.of("security.capability", new byte[] {1, 2}, "user.x", "v".getBytes(UTF_8)))
            .hardlink("bin/su2", "bin/su")
            .symlink("lib", "usr/lib")
            .charDevice("dev/tty", 4, 1)
            .blockDevice("dev/sda", 8, 0)
            .fifo("run/pipe")
            .file("empty", "")
            .dir("emptydir")
            .file("gone", "x");
    l1 = new TestLayer(1).file("etc/passwd", "root:x:0:0:upper\n").whiteout("gone");
    content = new FakeContent(l0, l1);
    tree = ImageTree.merge(List.of(l0.entries(), l1.entries()));
    fs = new ImageFileSystem(tree, content);
  }

  // --- getattr -------------------------------------------------------------------------------

  @Test
  void getattrOfTheRoot() throws Exception {
    Attributes root = fs.getattr("/");
    assertThat(root.inode()).isEqualTo(1);
    assertThat(root.mode()).isEqualTo(040750);
    assertThat(root.nlink()).isEqualTo(2 + 5); // bin dev emptydir etc run
    assertThat(root.mtimeSeconds()).isEqualTo(TestLayer.MTIME);
  }

  @Test
  void getattrOfAFileCarriesEverything() throws Exception {
    Attributes su = fs.getattr("/bin/su");
    assertThat(su.mode()).isEqualTo(0104755);
    assertThat(su.uid()).isEqualTo(1000);
    assertThat(su.gid()).isEqualTo(2000);
    assertThat(su.size()).isEqualTo(20);
    assertThat(su.blocks()).isEqualTo(1);
    assertThat(su.rdev()).isZero();
    assertThat(su.mtimeSeconds()).isEqualTo(TestLayer.MTIME);
    assertThat(su.mtimeNanos()).isEqualTo(123);
    assertThat(su.inode()).isEqualTo(tree.lookup("bin/su").orElseThrow().inode());
  }

  @Test
  void getattrOfDirectorySymlinkDevicesAndFifo() throws Exception {
    Attributes etc = fs.getattr("/etc");
    assertThat(etc.mode()).isEqualTo(040755);
    assertThat(etc.nlink()).isEqualTo(2);
    assertThat(etc.mtimeSeconds()).isEqualTo(1_600_000_000L);
    assertThat(etc.mtimeNanos()).isEqualTo(7);
    Attributes implicit = fs.getattr("/bin");
    assertThat(implicit.mode()).isEqualTo(040755);
    assertThat(implicit.mtimeSeconds()).isZero();

    Attributes lib = fs.getattr("/lib");
    assertThat(lib.mode()).isEqualTo(0120777);
    assertThat(lib.size()).isEqualTo("usr/lib".length());

    Attributes tty = fs.getattr("/dev/tty");
    assertThat(tty.mode()).isEqualTo(020620);
    assertThat(tty.rdev()).isEqualTo((4 << 8) | 1);
    assertThat(tty.gid()).isEqualTo(5);
    assertThat(tty.size()).isZero();
    Attributes sda = fs.getattr("/dev/sda");
    assertThat(sda.mode()).isEqualTo(060660);
    assertThat(sda.rdev()).isEqualTo(8 << 8);
    assertThat(fs.getattr("/run/pipe").mode()).isEqualTo(010600);
  }

  @Test
  void hardlinksShareTheInodeAndCountTwoLinks() throws Exception {
    Attributes su = fs.getattr("/bin/su");
    Attributes su2 = fs.getattr("/bin/su2");
    assertThat(su2).isEqualTo(su);
    assertThat(su.nlink()).isEqualTo(2);
    byte[] a = new byte[20];
    byte[] b = new byte[20];
    assertThat(fs.read("/bin/su", a, 0, 20)).isEqualTo(20);
    assertThat(fs.read("/bin/su2", b, 0, 20)).isEqualTo(20);
    assertThat(b).isEqualTo(a).isEqualTo(CONTENT);
  }

  @Test
  void everyNodeHasItsOwnInodeExceptHardlinks() throws Exception {
    assertThat(tree.walk().map(n -> n.inode()).distinct().count()).isEqualTo(tree.size() - 1);
  }

  @Test
  void missingAndMalformedPathsAreEnoent() {
    for (String path :
        List.of("/nope", "/etc/nope", "/etc/passwd/x", "", "etc", "/etc/", "//etc", "/gone")) {
      assertThat(errno(() -> fs.getattr(path))).as(path).isEqualTo(Errno.ENOENT);
    }
  }

  // --- readdir -------------------------------------------------------------------------------

  @Test
  void readdirListsChildrenInNameOrderWithAttributes() throws Exception {
    List<DirEntry> root = fs.readdir("/");
    assertThat(root)
        .extracting(DirEntry::name)
        .containsExactly("bin", "dev", "empty", "emptydir", "etc", "lib", "run");
    for (DirEntry e : root) {
      assertThat(e.attributes()).isEqualTo(fs.getattr("/" + e.name()));
    }
    assertThat(fs.readdir("/bin")).extracting(DirEntry::name).containsExactly("su", "su2");
    assertThat(fs.readdir("/emptydir")).isEmpty();
  }

  @Test
  void readdirOfANonDirectoryOrNothingFails() {
    assertThat(errno(() -> fs.readdir("/etc/passwd"))).isEqualTo(Errno.ENOTDIR);
    assertThat(errno(() -> fs.readdir("/lib"))).isEqualTo(Errno.ENOTDIR);
    assertThat(errno(() -> fs.readdir("/nope"))).isEqualTo(Errno.ENOENT);
  }

  // --- readlink ------------------------------------------------------------------------------

  @Test
  void readlink() throws Exception {
    assertThat(fs.readlink("/lib")).isEqualTo("usr/lib");
    assertThat(errno(() -> fs.readlink("/etc/passwd"))).isEqualTo(Errno.EINVAL);
    assertThat(errno(() -> fs.readlink("/etc"))).isEqualTo(Errno.EINVAL);
    assertThat(errno(() -> fs.readlink("/nope"))).isEqualTo(Errno.ENOENT);
  }

  // --- open ----------------------------------------------------------------------------------

  @Test
  void openForReadingSucceeds() throws Exception {
    fs.open("/etc/passwd", 0);
    fs.open("/etc/passwd", 0100000 | 0400000); // O_LARGEFILE | O_NOFOLLOW
    fs.open("/dev/tty", 0);
  }

  @Test
  void openForWritingIsEROFS() {
    int[] writeFlags = {01, 02, 03, 0100, 01000, 02000, 01 | 01000};
    for (int flags : writeFlags) {
      assertThat(errno(() -> fs.open("/etc/passwd", flags)))
          .as("flags 0%o", flags)
          .isEqualTo(Errno.EROFS);
    }
    assertThat(errno(() -> fs.open("/new", 0100 | 01))).isEqualTo(Errno.EROFS);
  }

  @Test
  void openOfADirectoryIsEISDIRAndOfNothingENOENT() {
    assertThat(errno(() -> fs.open("/etc", 0))).isEqualTo(Errno.EISDIR);
    assertThat(errno(() -> fs.open("/", 0))).isEqualTo(Errno.EISDIR);
    assertThat(errno(() -> fs.open("/nope", 0))).isEqualTo(Errno.ENOENT);
  }

  // --- read ----------------------------------------------------------------------------------

  private byte[] read(String path, long offset, int size) throws FsException {
    byte[] buffer = new byte[size];
    int n = fs.read(path, buffer, offset, size);
    return Arrays.copyOf(buffer, n);
  }

  @Test
  void readsAtTheStartMiddleAndEnd() throws Exception {
    assertThat(read("/bin/su", 0, 5)).isEqualTo("01234".getBytes(UTF_8));
    assertThat(read("/bin/su", 7, 6)).isEqualTo("789abc".getBytes(UTF_8));
    assertThat(read("/bin/su", 15, 5)).isEqualTo("fghij".getBytes(UTF_8));
    assertThat(read("/bin/su", 0, 20)).isEqualTo(CONTENT);
  }

  @Test
  void readsAcrossTheEndAreClampedAndPastTheEndReadNothing() throws Exception {
    assertThat(read("/bin/su", 16, 100)).isEqualTo("ghij".getBytes(UTF_8));
    assertThat(read("/bin/su", 20, 10)).isEmpty();
    assertThat(read("/bin/su", 1000, 10)).isEmpty();
    assertThat(read("/bin/su", Long.MAX_VALUE, 10)).isEmpty();
    assertThat(read("/empty", 0, 10)).isEmpty();
    assertThat(read("/bin/su", 3, 0)).isEmpty();
  }

  @Test
  void readsGoToTheLayerAndOffsetOfThePayloadOnly() throws Exception {
    long payload = tree.lookup("bin/su").orElseThrow().payloadOffset();
    read("/bin/su", 7, 6);
    read("/bin/su", 16, 100);
    read("/bin/su", 25, 100); // nothing to fetch
    assertThat(content.reads())
        .containsExactly(
            new FakeContent.Read(0, payload + 7, 6), new FakeContent.Read(0, payload + 16, 4));
  }

  @Test
  void aFileOfAnUpperLayerIsReadFromThatLayer() throws Exception {
    assertThat(new String(read("/etc/passwd", 0, 100), UTF_8)).isEqualTo("root:x:0:0:upper\n");
    assertThat(content.reads()).extracting(FakeContent.Read::layer).containsExactly(1);
  }

  @Test
  void aReadIntoASmallerBufferFillsTheBuffer() throws Exception {
    byte[] buffer = new byte[4];
    assertThat(fs.read("/bin/su", buffer, 2, 100)).isEqualTo(4);
    assertThat(buffer).isEqualTo("2345".getBytes(UTF_8));
  }

  @Test
  void readsOfNonFilesAndBadArgumentsFail() {
    byte[] buffer = new byte[10];
    assertThat(errno(() -> fs.read("/etc", buffer, 0, 10))).isEqualTo(Errno.EISDIR);
    assertThat(errno(() -> fs.read("/lib", buffer, 0, 10))).isEqualTo(Errno.EINVAL);
    assertThat(errno(() -> fs.read("/run/pipe", buffer, 0, 10))).isEqualTo(Errno.EINVAL);
    assertThat(errno(() -> fs.read("/nope", buffer, 0, 10))).isEqualTo(Errno.ENOENT);
    assertThat(errno(() -> fs.read("/bin/su", buffer, -1, 10))).isEqualTo(Errno.EINVAL);
    assertThat(errno(() -> fs.read("/bin/su", buffer, 0, -1))).isEqualTo(Errno.EINVAL);
  }

  @Test
  void aFailingSourceIsEIOAndLoggedOncePerPathUntilARecovery() throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, UTF_8));
    try {
      content.failing.set(true);
      for (int i = 0; i < 3; i++) {
        assertThat(errno(() -> read("/bin/su", 0, 10))).isEqualTo(Errno.EIO);
      }
      assertThat(errno(() -> read("/etc/passwd", 0, 10))).isEqualTo(Errno.EIO);
      assertThat(count(captured, "read of /bin/su failed")).isEqualTo(1);
      assertThat(count(captured, "read of /etc/passwd failed")).isEqualTo(1);
      assertThat(captured.toString(UTF_8)).contains("failed verification");

      content.failing.set(false);
      assertThat(read("/bin/su", 0, 10)).hasSize(10);
      content.failing.set(true);
      assertThat(errno(() -> read("/bin/su", 0, 10))).isEqualTo(Errno.EIO);
      assertThat(count(captured, "read of /bin/su failed")).isEqualTo(2);
      assertThat(count(captured, "read of /etc/passwd failed")).isEqualTo(1);
    } finally {
      System.setErr(err);
    }
  }

  @Test
  void theEioMessageSaysWhy() {
    content.failing.set(true);
    assertThatThrownBy(() -> read("/bin/su", 0, 10))
        .isInstanceOf(FsException.class)
        .hasMessageContaining("/bin/su")
        .hasMessageContaining("failed verification");
  }

  private static int count(ByteArrayOutputStream out, String what) {
    String s = out.toString(UTF_8);
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  // --- xattrs --------------------------------------------------------------------------------

  @Test
  void extendedAttributes() throws Exception {
    assertThat(fs.listxattr("/bin/su")).containsExactly("security.capability", "user.x");
    assertThat(fs.listxattr("/bin/su2")).containsExactly("security.capability", "user.x");
    assertThat(fs.getxattr("/bin/su", "security.capability")).containsExactly(1, 2);
    assertThat(fs.getxattr("/bin/su", "user.x")).isEqualTo("v".getBytes(UTF_8));
    assertThat(fs.listxattr("/etc")).isEmpty();
    assertThat(errno(() -> fs.getxattr("/bin/su", "user.nope"))).isEqualTo(Errno.ENODATA);
    assertThat(errno(() -> fs.getxattr("/etc", "user.x"))).isEqualTo(Errno.ENODATA);
    assertThat(errno(() -> fs.getxattr("/nope", "user.x"))).isEqualTo(Errno.ENOENT);
    assertThat(errno(() -> fs.listxattr("/nope"))).isEqualTo(Errno.ENOENT);
  }

  @Test
  void xattrValuesCannotBeChangedThroughTheAnswer() throws Exception {
    fs.getxattr("/bin/su", "user.x")[0] = 'X';
    assertThat(fs.getxattr("/bin/su", "user.x")).isEqualTo("v".getBytes(UTF_8));
  }

  // --- statfs --------------------------------------------------------------------------------

  @Test
  void statfsCountsRegularFileBlocksAndNodes() {
    ReadOnlyFileSystem.StatFs statFs = fs.statfs();
    assertThat(statFs.blockSize()).isEqualTo(4096);
    long bytes = 20L + "root:x:0:0:upper\n".length(); // su once (hardlinked), passwd, empty
    assertThat(statFs.blocks()).isEqualTo((bytes + 4095) / 4096);
    assertThat(statFs.files()).isEqualTo(tree.size());
    assertThat(statFs.nameMax()).isEqualTo(255);
  }

  @Test
  void statfsRoundsBlocksUp() throws Exception {
    TestLayer big = new TestLayer(0).file("a", new byte[4097], 0644, 0, 0, Map.of()).file("b", "x");
    ImageTree t = ImageTree.merge(List.of(big.entries()));
    assertThat(new ImageFileSystem(t, new FakeContent(big)).statfs().blocks()).isEqualTo(2);
    ImageTree empty = ImageTree.merge(List.of());
    ImageFileSystem none = new ImageFileSystem(empty, new FakeContent());
    assertThat(none.statfs().blocks()).isZero();
    assertThat(none.statfs().files()).isEqualTo(1);
    assertThat(none.readdir("/")).isEmpty();
  }

  @Test
  void aLargeTreeIsFoundByEveryPath() throws Exception {
    TestLayer layer = new TestLayer(0);
    for (int i = 0; i < 2000; i++) {
      layer.file("d" + (i % 37) + "/sub" + (i % 5) + "/f" + i, "x");
    }
    ImageTree t = ImageTree.merge(List.of(layer.entries()));
    ImageFileSystem big = new ImageFileSystem(t, new FakeContent(layer));
    t.walk()
        .forEach(
            n -> {
              try {
                assertThat(big.getattr("/" + n.path()).inode()).isEqualTo(n.inode());
              } catch (FsException e) {
                throw new AssertionError(n.path(), e);
              }
            });
    assertThat(errno(() -> big.getattr("/d1/sub1/f2"))).isEqualTo(Errno.ENOENT);
  }

  @Test
  void pathsWithEqualHashCodesAndNonAsciiNamesAreToldApart() throws Exception {
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    TestLayer layer =
        new TestLayer(0)
            .file("Aa", "1")
            .file("BB", "2")
            .file("AaAa/BB", "3")
            .file("BBBB/Aa", "4")
            .file("AaBB", "5")
            .file("é/😀", "6");
    ImageTree t = ImageTree.merge(List.of(layer.entries()));
    ImageFileSystem f = new ImageFileSystem(t, new FakeContent(layer));
    for (String[] pc :
        new String[][] {
          {"/Aa", "1"},
          {"/BB", "2"},
          {"/AaAa/BB", "3"},
          {"/BBBB/Aa", "4"},
          {"/AaBB", "5"},
          {"/é/😀", "6"}
        }) {
      byte[] buffer = new byte[1];
      assertThat(f.read(pc[0], buffer, 0, 1)).as(pc[0]).isEqualTo(1);
      assertThat(new String(buffer, UTF_8)).as(pc[0]).isEqualTo(pc[1]);
    }
    assertThat(errno(() -> f.getattr("/AaAa/Aa"))).isEqualTo(Errno.ENOENT);
    assertThat(errno(() -> f.getattr("/BBAa"))).isEqualTo(Errno.ENOENT);
    assertThat(f.readdir("/é")).extracting(DirEntry::name).containsExactly("😀");
  }
}
