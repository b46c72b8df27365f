package dev.strata.image;

import static dev.strata.image.TarLayer.meta;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.index.EntryType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Merges real tar layers and compares the tree with what GNU tar (with the OCI whiteout rules
 * applied between layers) and umoci unpack leave on disk: the same paths, types, modes, owners,
 * sizes, symlink targets, mtimes, device numbers, user xattrs, link counts and hardlink groups.
 */
class ImageTreeOracleTest {
  @TempDir Path tmp;

  private static final String LONG_DIR = "deep/" + "d".repeat(120);
  private static final String LONG_FILE = LONG_DIR + "/" + "f".repeat(150) + ".txt";

  /** Four layers with every entry kind and every changeset rule. */
  private List<Path> fourLayers() throws IOException {
    Path l0 =
        new TarLayer()
            .dir("./", meta().mtime(1600000000))
            .dir("./etc")
            .file("./etc/passwd", "root:x:0:0\n")
            .file("./etc/shadow", "root:*\n", meta().mode(0640).owner(0, 42))
            .dir("./bin")
            .file("./bin/sh", "#!sh v1\n", meta().mode(0755).xattr("user.sh", "v1"))
            .hardlink("./bin/bash", "./bin/sh")
            .file("./bin/su", "su\n", meta().mode(04755))
            .dir("./usr")
            .dir("./usr/bin")
            .file("./usr/bin/wall", "wall\n", meta().mode(02755).owner(0, 5))
            .dir("./usr/lib")
            .file("./usr/lib/libc.so", "libc\n")
            .dir("./tmp", meta().mode(01777))
            .symlink("./lib", "usr/lib")
            .symlink("./abs", "/etc/passwd")
            .symlink("./dangling", "../../nowhere")
            .dir("./dev")
            .charDevice("./dev/null", 1, 3, meta().mode(0666))
            .blockDevice("./dev/loop0", 7, 0, meta().mode(0660).owner(0, 6))
            .dir("./run")
            .fifo("./run/initctl", meta().mode(0600))
            .dir("./deep")
            .dir("./" + LONG_DIR)
            .file("./" + LONG_FILE, "long\n")
            .dir("./i18n")
            .file("./i18n/日本語.txt", "こんにちは\n")
            .file("./i18n/emoji-😀.txt", "😀\n")
            .dir("./i18n/Ünïcödé", meta().mode(0750))
            .dir("./xattr", meta().xattr("user.dir", "yes"))
            .file(
                "./xattr/file",
                "x\n",
                meta().xattr("user.comment", "hello").xattr("user.mime", "text/plain"))
            .file("./implicit/a/b/c.txt", "implicit parents\n")
            .dir("./home")
            .dir("./home/alice", meta().mode(0700).owner(1000, 1000))
            .file("./home/alice/.profile", "PS1=$\n", meta().owner(1000, 1000))
            .file("./big-ids", "big\n", meta().owner(3000000, 3000001))
            .dir("./removeme")
            .dir("./removeme/sub")
            .file("./removeme/sub/x", "x\n")
            .dir("./opaque")
            .file("./opaque/lower1", "1\n")
            .dir("./opaque/lower2")
            .file("./opaque/lower2/f", "f\n")
            .file("./swap1", "file\n")
            .dir("./swap2")
            .file("./swap2/child", "child\n")
            .dir("./keep")
            .file("./keep/a", "a\n")
            .file("./both.txt", "lower\n")
            .file("./old", "old\n", meta().mtime(0))
            .file("./future", "future\n", meta().mtime(4102444800L))
            .write(tmp.resolve("l0.tar"));
    Path l1 =
        new TarLayer()
            .dir("./etc", meta().mode(0750).mtime(1700000000))
            .file("./etc/passwd", "root:x:0:0\nuser:x:1000:1000\n")
            .whiteout("./etc/shadow")
            .whiteout("./removeme")
            .dir("./opaque")
            .file("./opaque/new.txt", "same layer, before the marker\n")
            .opaque("./opaque")
            .dir("./opaque/newdir")
            .dir("./swap1")
            .file("./swap1/inside", "inside\n")
            .file("./swap2", "now a file\n")
            .hardlink("./usr/bin/sh-link", "./bin/sh")
            .whiteout("./newdir/nothing")
            .file("./both.txt", "upper, before its whiteout\n")
            .whiteout("./both.txt")
            .file("./gone-same", "kept\n")
            .whiteout("./gone-same")
            .write(tmp.resolve("l1.tar"));
    Path l2 =
        new TarLayer()
            .file("./bin/sh", "#!sh v2\n", meta().mode(0755))
            .dir("./keep", meta().mode(0700).owner(7, 7))
            .dir("./home")
            .opaque("./home")
            .dir("./home/bob", meta().owner(1001, 1001))
            .whiteout("./lib")
            .dir("./lib")
            .file("./lib/x.so", "so\n")
            .dir("./.wh..wh.plnk", meta().mode(0700))
            .file("./.wh..wh.plnk/123.1", "aufs link content\n")
            .hardlink("./aufs-link", "./.wh..wh.plnk/123.1")
            .file("./.wh..wh.aufs", "")
            .charDevice("./dev/null", 1, 3, meta().mode(0666))
            .hardlink("./etc/passwd.bak", "./etc/passwd")
            .write(tmp.resolve("l2.tar"));
    Path l3 =
        new TarLayer()
            .whiteout("./swap1")
            .whiteout("./usr/bin")
            .file("./implicit/a/d.txt", "d\n")
            .hardlink("./hl-to-fifo", "./run/initctl")
            .symlink("./swap2", "lib/x.so")
            .write(tmp.resolve("l3.tar"));
    return List.of(l0, l1, l2, l3);
  }

  private static ImageTree merge(List<Path> layers) throws IOException {
    List<LayerEntries> entries = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      entries.add(TarEntries.layer(i, layers.get(i)));
    }
    return ImageTree.merge(entries);
  }

  @Test
  void matchesGnuTarWithWhiteoutsApplied() throws IOException {
    List<Path> layers = fourLayers();
    ImageTree tree = merge(layers);
    Path rootfs = Oracles.gnuTar(layers, tmp.resolve("gnu"));

    assertThat(Oracles.differences(Oracles.observe(tree), Oracles.observe(rootfs))).isEmpty();
    assertThat(Oracles.hardlinkGroups(tree)).isEqualTo(Oracles.hardlinkGroups(rootfs));
    assertContents(tree, layers, rootfs);
  }

  @Test
  void spotChecksOfTheFourLayerMerge() throws IOException {
    ImageTree tree = merge(fourLayers());

    assertThat(tree.lookup("etc/shadow")).isEmpty();
    assertThat(tree.lookup("removeme")).isEmpty();
    assertThat(tree.lookup("both.txt").orElseThrow().layerIndex()).isEqualTo(1);
    assertThat(tree.lookup("gone-same")).isPresent();
    assertThat(tree.children(tree.lookup("opaque").orElseThrow()))
        .extracting(Node::name)
        .containsExactly("new.txt", "newdir");
    assertThat(tree.lookup("swap1")).isEmpty();
    assertThat(tree.lookup("swap2").orElseThrow().type()).isEqualTo(EntryType.SYMLINK);
    assertThat(tree.lookup("lib").orElseThrow().type()).isEqualTo(EntryType.DIRECTORY);
    assertThat(tree.lookup("keep/a")).isPresent();
    assertThat(tree.lookup("keep").orElseThrow().mode()).isEqualTo(0700);
    assertThat(tree.lookup("home/alice")).isEmpty();
    assertThat(tree.lookup("newdir").orElseThrow().mode()).isEqualTo(0755);

    Node bash = tree.lookup("bin/bash").orElseThrow();
    Node sh = tree.lookup("bin/sh").orElseThrow();
    assertThat(bash.nlink()).isEqualTo(1); // its other links were replaced or whited out
    assertThat(bash.layerIndex()).isZero();
    assertThat(bash.xattrs()).containsKey("user.sh");
    assertThat(sh.layerIndex()).isEqualTo(2);
    assertThat(sh.inode()).isNotEqualTo(bash.inode());

    Node passwd = tree.lookup("etc/passwd").orElseThrow();
    Node bak = tree.lookup("etc/passwd.bak").orElseThrow();
    assertThat(bak.inode()).isEqualTo(passwd.inode());
    assertThat(bak.nlink()).isEqualTo(2);
    assertThat(bak.layerIndex()).isEqualTo(1);
    assertThat(bak.payloadOffset()).isEqualTo(passwd.payloadOffset());

    assertThat(tree.lookup("aufs-link").orElseThrow().nlink()).isEqualTo(1);
    assertThat(tree.lookup(".wh..wh.plnk")).isEmpty();
    assertThat(tree.lookup("hl-to-fifo").orElseThrow().type()).isEqualTo(EntryType.FIFO);
    assertThat(tree.lookup("run/initctl").orElseThrow().nlink()).isEqualTo(2);
    assertThat(tree.lookup("bin/su").orElseThrow().mode()).isEqualTo(04755);
    assertThat(tree.lookup(LONG_FILE)).isPresent();
    assertThat(tree.walk().map(Node::name)).noneMatch(n -> n.startsWith(".wh."));
  }

  /**
   * umoci unpack agrees with the tree except where umoci is known to differ, each checked here: it
   * leaves AUFS metadata ({@code .wh..wh.plnk}) visible where Docker and we hide it; it does not
   * create the missing directory of a whiteout (tar -x and containerd do, and so do we); and the
   * directories it creates implicitly or modifies without an entry carry the extraction time.
   */
  @Test
  void matchesUmociUnpackExceptForItsKnownDifferences() throws IOException {
    List<Path> layers = fourLayers();
    ImageTree tree = merge(layers);
    Path rootfs = Oracles.umoci(layers, tmp.resolve("umoci"));

    Map<String, Oracles.Observed> fromTree = Oracles.observe(tree);
    Map<String, Oracles.Observed> fromUmoci = Oracles.observe(rootfs);
    assertThat(fromUmoci).containsKeys(".wh..wh.plnk", ".wh..wh.plnk/123.1");
    assertThat(fromUmoci.get("aufs-link").nlink()).isEqualTo(2);
    fromUmoci.keySet().removeIf(p -> p.startsWith(".wh..wh.plnk"));
    fromUmoci.put("aufs-link", fromTree.get("aufs-link"));
    assertThat(fromUmoci).doesNotContainKey("newdir");
    fromTree.remove("newdir");
    fromUmoci.put("", withMtime(fromUmoci.get(""), fromTree.get("").mtimeSeconds()));
    for (String implicit : List.of("implicit", "implicit/a", "implicit/a/b")) {
      assertThat(fromTree.get(implicit).mtimeSeconds()).isZero();
      fromUmoci.put(implicit, withMtime(fromUmoci.get(implicit), 0));
    }
    assertThat(Oracles.differences(fromTree, fromUmoci)).isEmpty();
    Set<Set<String>> umociGroups = new HashSet<>();
    for (Set<String> group : Oracles.hardlinkGroups(rootfs)) {
      Set<String> visible = new TreeSet<>(group);
      visible.removeIf(p -> p.startsWith(".wh..wh.plnk"));
      if (visible.size() > 1) {
        umociGroups.add(visible);
      }
    }
    assertThat(Oracles.hardlinkGroups(tree)).isEqualTo(umociGroups);
  }

  private static Oracles.Observed withMtime(Oracles.Observed o, long mtime) {
    return new Oracles.Observed(
        o.type(),
        o.mode(),
        o.uid(),
        o.gid(),
        o.size(),
        o.linkTarget(),
        mtime,
        o.nlink(),
        o.device(),
        o.userXattrs());
  }

  /** Layers written by GNU tar itself from directories on disk, as image builders do. */
  @Test
  void layersWrittenByGnuTarMatchTheirExtraction() throws IOException {
    Path src0 = Files.createDirectories(tmp.resolve("src0"));
    Files.createDirectories(src0.resolve("etc/ssl"));
    Files.writeString(src0.resolve("etc/hosts"), "127.0.0.1 localhost\n");
    Files.createLink(src0.resolve("etc/hosts.link"), src0.resolve("etc/hosts"));
    Files.createLink(src0.resolve("etc/ssl/hosts.link2"), src0.resolve("etc/hosts"));
    Files.writeString(src0.resolve("etc/ssl/cert.pem"), "-----BEGIN-----\n");
    Files.createSymbolicLink(src0.resolve("etc/ssl/certs"), Path.of("/etc/ssl"));
    Files.createDirectories(src0.resolve("var/cache/apt"));
    Files.writeString(src0.resolve("var/cache/apt/pkgcache.bin"), "cache");
    Files.writeString(src0.resolve("var/cache/keep"), "keep");
    Files.writeString(src0.resolve("var/ünïcode-ファイル"), "u");
    Files.writeString(src0.resolve("var/" + "n".repeat(200)), "long");
    Files.writeString(src0.resolve("setuid"), "s");
    Files.setAttribute(
        src0.resolve("etc/hosts"),
        "user:note",
        ByteBuffer.wrap("hosts".getBytes(StandardCharsets.UTF_8)));
    Oracles.run(List.of("chmod", "4755", src0.resolve("setuid").toString()));
    Oracles.run(List.of("chown", "-h", "1234:5678", src0.resolve("var/cache/keep").toString()));
    Oracles.run(List.of("mkfifo", src0.resolve("var/fifo").toString()));
    Oracles.run(List.of("mknod", src0.resolve("var/tty").toString(), "c", "5", "0"));

    Path src1 = Files.createDirectories(tmp.resolve("src1"));
    Files.createDirectories(src1.resolve("etc"));
    Files.writeString(src1.resolve("etc/.wh.hosts"), "");
    Files.writeString(src1.resolve("etc/hosts"), "::1 localhost\n"); // same layer: kept
    Files.createDirectories(src1.resolve("var/cache"));
    Files.writeString(src1.resolve("var/cache/.wh..wh..opq"), "");
    Files.writeString(src1.resolve("var/cache/fresh"), "fresh");
    Files.writeString(src1.resolve(".wh.setuid"), "");
    Files.createSymbolicLink(src1.resolve("var/fifo"), Path.of("tty")); // FIFO -> symlink
    Oracles.run(List.of("touch", "-h", "-d", "@1620284889", src0.toString(), src1.toString()));

    List<Path> layers = new ArrayList<>();
    for (Path src : List.of(src0, src1)) {
      Path tar = tmp.resolve(src.getFileName() + ".tar");
      Oracles.run(
          List.of(
              "tar",
              "--create",
              "--format=posix",
              "--xattrs",
              "--xattrs-include=*",
              "--numeric-owner",
              "--sort=name",
              "--file=" + tar,
              "--directory=" + src,
              "."));
      layers.add(tar);
    }
    ImageTree tree = merge(layers);
    Path rootfs = Oracles.gnuTar(layers, tmp.resolve("gnu"));

    assertThat(Oracles.differences(Oracles.observe(tree), Oracles.observe(rootfs))).isEmpty();
    assertThat(Oracles.hardlinkGroups(tree)).isEqualTo(Oracles.hardlinkGroups(rootfs));
    assertThat(Oracles.hardlinkGroups(tree))
        .containsExactly(Set.of("etc/hosts.link", "etc/ssl/hosts.link2"));
    assertThat(tree.lookup("etc/hosts.link").orElseThrow().xattrs()).containsKey("user.note");
    assertThat(tree.lookup("etc/hosts").orElseThrow().layerIndex()).isEqualTo(1);
    assertThat(tree.lookup("var/cache/apt")).isEmpty();
    assertThat(tree.lookup("setuid")).isEmpty();
    assertThat(tree.root().mtimeSeconds()).isEqualTo(1620284889L);
    assertContents(tree, layers, rootfs);
  }

  /** Every regular file's bytes, read from its layer at its payload offset, equal the oracle's. */
  private static void assertContents(ImageTree tree, List<Path> layers, Path rootfs)
      throws IOException {
    List<byte[]> blobs = new ArrayList<>();
    for (Path layer : layers) {
      blobs.add(Files.readAllBytes(layer));
    }
    List<Node> files = tree.walk().filter(Node::isRegularFile).toList();
    assertThat(files).hasSizeGreaterThan(5);
    for (Node n : files) {
      byte[] blob = blobs.get(n.layerIndex());
      byte[] content = new byte[(int) n.size()];
      System.arraycopy(blob, (int) n.payloadOffset(), content, 0, content.length);
      assertThat(new String(content, StandardCharsets.UTF_8))
          .as(n.path())
          .isEqualTo(Files.readString(rootfs.resolve(n.path())));
    }
  }
}
