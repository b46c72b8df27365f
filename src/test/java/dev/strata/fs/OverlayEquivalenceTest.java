package dev.strata.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.fs.ReadOnlyFileSystem.Attributes;
import dev.strata.fs.ReadOnlyFileSystem.DirEntry;
import dev.strata.image.ImageTree;
import dev.strata.image.InvalidLayerException;
import dev.strata.image.LayerEntries;
import dev.strata.index.EntryType;
import dev.strata.index.IndexEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The per-layer view stacked by (a simulation of) kernel overlayfs shows the merged image: every
 * path, its attributes (but link counts), link target, extended attributes, bytes and listing. The
 * real thing, a FUSE mount under {@code mount -t overlay}, needs root and is for an integration
 * test.
 */
class OverlayEquivalenceTest {

  /** Compares, throwing AssertionError with the image's description on a difference. */
  static void assertSameTree(List<TestLayer> layers, String description) throws Exception {
    List<LayerEntries> entries = new ArrayList<>();
    for (TestLayer layer : layers) {
      entries.add(layer.entries());
    }
    FakeContent content = new FakeContent(layers.toArray(new TestLayer[0]));
    ImageFileSystem merged = new ImageFileSystem(ImageTree.merge(entries), content);
    LayerFileSystem perLayer;
    try {
      perLayer = new LayerFileSystem(entries, content);
    } catch (InvalidLayerException e) {
      throw new AssertionError(description + "\n the layer view refused: " + e.getMessage(), e);
    }
    OverlaySim overlay = new OverlaySim(perLayer);
    Map<Long, Long> inodes = new HashMap<>(); // overlay's (real) inode -> merged inode
    compare(merged, overlay, "", description, inodes);
  }

  private static void compare(
      ImageFileSystem merged,
      OverlaySim overlay,
      String path,
      String description,
      Map<Long, Long> inodes)
      throws FsException {
    String fusePath = "/" + path;
    String where = description + "\n at '" + fusePath + "'";
    OverlaySim.Resolved r = overlay.lookup(path);
    assertThat(r).as(where).isNotNull();
    Attributes want = merged.getattr(fusePath);
    Attributes got = r.attributes();
    assertThat(got.mode()).as(where + " mode").isEqualTo(want.mode());
    assertThat(got.uid()).as(where + " uid").isEqualTo(want.uid());
    assertThat(got.gid()).as(where + " gid").isEqualTo(want.gid());
    assertThat(got.size()).as(where + " size").isEqualTo(want.size());
    assertThat(got.rdev()).as(where + " rdev").isEqualTo(want.rdev());
    assertThat(got.mtimeSeconds()).as(where + " mtime").isEqualTo(want.mtimeSeconds());
    assertThat(got.mtimeNanos()).as(where + " mtime ns").isEqualTo(want.mtimeNanos());
    List<String> wantX = new ArrayList<>();
    for (String x : merged.listxattr(fusePath)) {
      if (!x.startsWith("trusted.overlay.")) {
        wantX.add(x);
      }
    }
    assertThat(overlay.listxattr(r)).as(where + " xattrs").isEqualTo(wantX);
    int type = want.mode() & 0170000;
    if (type == 0120000) {
      assertThat(overlay.readlink(r)).as(where).isEqualTo(merged.readlink(fusePath));
    }
    if (type == 0100000) {
      byte[] a = new byte[(int) want.size()];
      byte[] b = new byte[(int) want.size()];
      merged.read(fusePath, a, 0, a.length);
      overlay.read(r, b);
      assertThat(new String(b, UTF_8)).as(where + " content").isEqualTo(new String(a, UTF_8));
    }
    if (type != 040000) {
      Long before = inodes.putIfAbsent(got.inode(), want.inode());
      if (before != null) {
        assertThat(want.inode()).as(where + " shares an inode in the overlay").isEqualTo(before);
      }
      return;
    }
    List<String> wantNames = merged.readdir(fusePath).stream().map(DirEntry::name).toList();
    assertThat(overlay.readdir(r)).as(where + " listing").isEqualTo(wantNames);
    for (String name : wantNames) {
      compare(merged, overlay, path.isEmpty() ? name : path + "/" + name, description, inodes);
    }
  }

  // --- hand-made images ----------------------------------------------------------------------

  private static void same(TestLayer... layers) throws Exception {
    assertSameTree(List.of(layers), "hand-made image");
  }

  @Test
  void whiteoutsOfFilesAndDirectories() throws Exception {
    same(
        new TestLayer(0).file("etc/a", "0").file("etc/b", "0").file("d/x/y", "0"),
        new TestLayer(1).whiteout("etc/a").whiteout("d/x").file("d/z", "1"),
        new TestLayer(2).file("etc/a", "2"));
  }

  @Test
  void opaqueDirectoriesAndTheRoot() throws Exception {
    same(
        new TestLayer(0).file("a", "0").file("d/x", "0").file("d/sub/y", "0"),
        new TestLayer(1).opaque("d").file("d/new", "1"),
        new TestLayer(2).file("b", "2"),
        new TestLayer(3).opaque("").file("c", "3").file("d/last", "3"));
  }

  @Test
  void replacingDirectoriesFilesAndSymlinks() throws Exception {
    same(
        new TestLayer(0).file("f", "0").dir("d", 0700).file("d/x", "0").symlink("s", "/x"),
        new TestLayer(1).dir("f").file("f/in", "1").file("d", "1").dir("s"),
        new TestLayer(2).whiteout("d").file("d/again", "2").whiteout("f").file("f", "2"));
  }

  @Test
  void implicitDirectoriesAndRoots() throws Exception {
    same(
        new TestLayer(0).dir("", 0711, 3, 4, 99, Map.of()).dir("usr", 0750, 1, 2, 5, Map.of()),
        new TestLayer(1).file("usr/bin/tool", "1").file("opt/x", "1"),
        new TestLayer(2).dir("", 0700, 0, 0, 100, Map.of()).file("usr/bin/other", "2"),
        new TestLayer(3).whiteout("usr").file("usr/lib/z", "3"));
  }

  @Test
  void hardlinksWithinAndAcrossLayers() throws Exception {
    same(
        new TestLayer(0).file("usr/a", "a0").hardlink("usr/a2", "usr/a").file("lone", "l"),
        new TestLayer(1).hardlink("bin/a3", "usr/a").hardlink("bin/l", "lone"),
        new TestLayer(2).file("usr/a", "a2").hardlink("x", "bin/l"));
  }

  @Test
  void overlayAttributesOfTheImageDoNotLeak() throws Exception {
    Map<String, byte[]> opaque = Map.of("trusted.overlay.opaque", "y".getBytes(UTF_8));
    same(
        new TestLayer(0).file("d/x", "0"),
        new TestLayer(1).dir("d", 0755, 0, 0, 1, opaque).file("d/y", "1"));
  }

  // --- random images -------------------------------------------------------------------------

  /** More seeds for a longer hunt: {@code -Dstrata.fs.randomImages=100000}. */
  private static final int SEEDS = Integer.getInteger("strata.fs.randomImages", 3000);

  @Test
  void randomImages() throws Exception {
    assertThat(compareRandom(SEEDS, 4, 8, 3)).isGreaterThan(SEEDS / 3);
  }

  @Test
  void randomDenseImages() throws Exception {
    assertThat(compareRandom(SEEDS, 6, 12, 2)).isGreaterThan(SEEDS / 10);
  }

  /** Compares random images that the merge accepts; returns how many. */
  private static int compareRandom(int seeds, int maxLayers, int maxOps, int names)
      throws Exception {
    int compared = 0;
    for (long seed = 1; seed <= seeds; seed++) {
      Random random = new Random(seed * 31 + maxLayers);
      List<TestLayer> layers = randomImage(random, maxLayers, maxOps, names);
      try {
        ImageTree.merge(layers.stream().map(TestLayer::entries).toList());
      } catch (InvalidLayerException e) {
        continue; // not a valid image; the merge's rules are tested elsewhere
      }
      String description =
          "random image (" + maxLayers + "/" + maxOps + "/" + names + "), seed " + seed;
      assertSameTree(layers, description + ":\n" + describe(layers));
      compared++;
    }
    return compared;
  }

  private static final String[] NAMES = {"a", "b", "c"};

  private static List<TestLayer> randomImage(Random random, int maxLayers, int maxOps, int names) {
    int count = 1 + random.nextInt(maxLayers);
    List<TestLayer> layers = new ArrayList<>();
    List<String> files = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      TestLayer layer = new TestLayer(i);
      int ops = random.nextInt(maxOps + 1);
      for (int op = 0; op < ops; op++) {
        String path = randomPath(random, names);
        Supplier<Map<String, byte[]>> xattrs =
            () ->
                switch (random.nextInt(6)) {
                  case 0 -> Map.of("user.k", new byte[] {(byte) random.nextInt(3)});
                  case 1 -> Map.of("trusted.overlay.opaque", "y".getBytes(UTF_8));
                  default -> Map.of();
                };
        switch (random.nextInt(12)) {
          case 0, 1, 2 -> {
            layer.file(
                path,
                ("L" + i + ":" + path + ":" + op).getBytes(UTF_8),
                random.nextBoolean() ? 0644 : 04755,
                random.nextInt(2),
                0,
                xattrs.get());
            files.add(path);
          }
          case 3, 4 ->
              layer.dir(
                  path,
                  random.nextBoolean() ? 0755 : 0700,
                  random.nextInt(2),
                  0,
                  random.nextInt(3),
                  xattrs.get());
          case 5 -> layer.symlink(path, "../t" + op);
          case 6 -> {
            if (!files.isEmpty()) {
              layer.hardlink(path, files.get(random.nextInt(files.size())));
              files.add(path);
            }
          }
          case 7, 8 -> layer.whiteout(path);
          case 9 -> {
            String p = randomPath(random, names);
            int slash = p.lastIndexOf('/');
            layer.opaque(slash < 0 ? "" : p.substring(0, slash));
          }
          case 10 -> layer.charDevice(path, 1, 3);
          default ->
              layer.add(
                  new IndexEntry(
                      "",
                      EntryType.DIRECTORY,
                      0700 + random.nextInt(2) * 055,
                      0,
                      0,
                      0,
                      random.nextInt(3),
                      0,
                      "",
                      0,
                      0,
                      Map.of(),
                      -1));
        }
      }
      layers.add(layer);
    }
    return layers;
  }

  private static String randomPath(Random random, int names) {
    int depth = 1 + random.nextInt(3);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      if (i > 0) {
        sb.append('/');
      }
      sb.append(NAMES[random.nextInt(names)]);
    }
    return sb.toString();
  }

  private static String describe(List<TestLayer> layers) {
    StringBuilder sb = new StringBuilder();
    for (TestLayer layer : layers) {
      sb.append("  layer ").append(layer.index()).append(":\n");
      for (IndexEntry e : layer.entries().entries()) {
        sb.append("    ")
            .append(e.type())
            .append(' ')
            .append(e.path().isEmpty() ? "/" : e.path())
            .append(String.format(" %o uid=%d mtime=%d", e.mode(), e.uid(), e.mtimeSeconds()))
            .append(e.linkTarget().isEmpty() ? "" : " -> " + e.linkTarget())
            .append(e.xattrs().isEmpty() ? "" : " xattrs=" + e.xattrs().keySet())
            .append('\n');
      }
    }
    return sb.toString();
  }
}
