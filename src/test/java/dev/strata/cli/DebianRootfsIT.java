package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.testing.OciLayouts;
import dev.strata.testing.Registries;
import dev.strata.testing.RegistryServer;
import dev.strata.testing.ScratchDir;
import dev.strata.testing.Shell;
import dev.strata.testing.StrataCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A real Linux root filesystem: Debian {@code debootstrap --variant=minbase} plus a second layer
 * that adds and deletes files (see {@code scripts/debian-image}), mounted lazily by strata. It
 * equals {@code umoci unpack} of the same image, and programs run from it with chroot, through a
 * writable overlayfs on top, and over {@code --layers}, while fetching a fraction of the image.
 */
class DebianRootfsIT {
  static final String IMAGE = "debian/minbase:1";
  static ScratchDir scratch = ScratchDir.create("strata-debian-it");
  static Path dir = scratch.path();
  static RegistryServer registry;
  static Path oracle;
  static long compressedImageBytes;
  final List<Path> mounted = new ArrayList<>();

  @BeforeAll
  static void image() throws Exception {
    registry = Registries.plain();
    Path layout = dir.resolve("layout");
    Shell.run(
        Path.of(System.getProperty("strata.project.dir"), "scripts/debian-image").toString(),
        layout.toString());
    OciLayouts.pushWithSkopeo(layout, "1", registry.hostPort() + "/" + IMAGE);
    oracle = dir.resolve("bundle");
    Shell.run("umoci", "unpack", "--image", layout + ":1", oracle.toString());
    try (var blobs = Files.list(layout.resolve("blobs/sha256"))) {
      for (Path blob : (Iterable<Path>) blobs::iterator) {
        if (Files.size(blob) > 100_000) {
          compressedImageBytes += Files.size(blob);
        }
      }
    }
  }

  @AfterAll
  static void removeScratch() throws Exception {
    scratch.close();
  }

  @AfterEach
  void unmountEverything() throws Exception {
    for (Path m : mounted.reversed()) {
      new ProcessBuilder("umount", "-l", m.toString()).start().waitFor();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"jnr", "jfuse"})
  void theMountEqualsUmociUnpack(String binding) throws Exception {
    Path target = mount(dir.resolve("state-eq-" + binding), null, binding, "mnt-eq-" + binding);
    Path rootfs = oracle.resolve("rootfs");

    assertThat(dev.strata.testing.Trees.describe(target))
        .isEqualTo(dev.strata.testing.Trees.describe(rootfs));
    assertThat(xattrs(target)).isEqualTo(xattrs(rootfs)).containsKey("opt/strata/bin/ls-cap");
    assertThat(xattrs(target).get("opt/strata/bin/ls-cap")).contains("security.capability=");
    assertThat(target.resolve("usr/share/doc")).doesNotExist();
    assertThat(target.resolve("usr/bin/yes")).doesNotExist();
    assertThat(Files.readString(target.resolve("etc/motd"))).isEqualTo("strata second layer\n");
    StrataCli.run("umount", target.toString()).requireSuccess();
  }

  @Test
  void programsRunFromTheLazyMountAndFetchAFractionOfTheImage() throws Exception {
    Path state = dir.resolve("state-run");
    StrataCli.run(
            "--state-dir",
            state.toString(),
            "--cache-dir",
            dir.resolve("cache-of-indexing").toString(),
            "index",
            registry.hostPort() + "/" + IMAGE)
        .requireSuccess();
    long before = blobBytes();
    Path target = mount(state, dir.resolve("cache-run"), "jfuse", "mnt-run", "--allow-other");
    String script =
        "cat /etc/debian_version; ls /usr/bin | wc -l; dpkg-query -W -f='${Package}\\n' | wc -l;"
            + " /opt/strata/bin/hello world; id -u; grep -c root /etc/passwd;"
            + " command -v yes || echo no-yes";
    String out = Shell.run("chroot", target.toString(), "/bin/sh", "-c", script);
    long fetched = blobBytes() - before;
    assertThat(out).contains("hello from layer 2: world").contains("no-yes").matches("(?s)12\\..*");
    double fraction = (double) fetched / compressedImageBytes;
    System.out.printf(
        Locale.ROOT,
        "Debian minbase + layer: running a shell and tools fetched %d of %d compressed bytes"
            + " (%.1f%%)%n",
        fetched,
        compressedImageBytes,
        100 * fraction);
    assertThat(fetched).isPositive();
    assertThat(fraction).as("fraction of the image fetched").isLessThan(0.25);

    // how a runtime uses it: a writable overlayfs on top of the read-only mount
    Path merged = overlay("run", target.toString(), true);
    assertThat(
            Shell.run(
                "chroot",
                merged.toString(),
                "/bin/sh",
                "-c",
                "echo changed > /etc/motd && rm /etc/hostname && cat /etc/motd && ls /etc"))
        .contains("changed")
        .doesNotContain("hostname");
    assertThat(Files.readString(target.resolve("etc/motd"))).isEqualTo("strata second layer\n");
    assertThat(target.resolve("etc/hostname")).exists();
    Shell.run("umount", merged.toString());
    StrataCli.run("umount", target.toString()).requireSuccess();
  }

  @Test
  void overlayfsMergesTheLayersOfALayersMount() throws Exception {
    Path layers =
        mount(
            dir.resolve("state-layers"), null, "jfuse", "mnt-layers", "--layers", "--allow-other");
    Path merged = overlay("layers", layers.resolve("1") + ":" + layers.resolve("0"), false);
    String out =
        Shell.run(
            "chroot",
            merged.toString(),
            "/bin/sh",
            "-c",
            "/opt/strata/bin/hello layers; cat /etc/motd; ls /usr/share; command -v yes || echo"
                + " no-yes");
    assertThat(out)
        .contains("hello from layer 2: layers")
        .contains("strata second layer")
        .contains("no-yes")
        .doesNotContain("\ndoc\n");
    // the whiteout is rendered the overlayfs way in the upper layer's directory
    assertThat(Shell.run("stat", "-c", "%F %t:%T", layers.resolve("1/usr/bin/yes").toString()))
        .contains("character special file 0:0");
    Shell.run("umount", merged.toString());
    StrataCli.run("umount", layers.toString()).requireSuccess();
  }

  Path mount(Path state, Path cache, String binding, String name, String... extra)
      throws Exception {
    Path target = Files.createDirectories(dir.resolve(name));
    List<String> args = new ArrayList<>(List.of("--state-dir", state.toString()));
    if (cache != null) {
      args.addAll(List.of("--cache-dir", cache.toString()));
    }
    args.addAll(List.of("mount", "--binding", binding));
    args.addAll(List.of(extra));
    args.addAll(List.of(registry.hostPort() + "/" + IMAGE, target.toString()));
    StrataCli.run(args.toArray(String[]::new)).requireSuccess();
    mounted.add(target);
    return target;
  }

  Path overlay(String name, String lowerdir, boolean writable) throws Exception {
    Path merged = Files.createDirectories(dir.resolve("merged-" + name));
    String options = "lowerdir=" + lowerdir;
    if (writable) {
      Path upper = Files.createDirectories(dir.resolve("upper-" + name));
      Path work = Files.createDirectories(dir.resolve("work-" + name));
      options += ",upperdir=" + upper + ",workdir=" + work;
    }
    Shell.run("mount", "-t", "overlay", "overlay", "-o", options, merged.toString());
    mounted.add(merged);
    return merged;
  }

  static long blobBytes() {
    return registry.bytesServed("GET", "/v2/debian/minbase/blobs/.*");
  }

  /** Every extended attribute under root, by relative path (getfattr's hex dump). */
  static Map<String, String> xattrs(Path root) throws Exception {
    String dump = Shell.runIn(root, "getfattr", "-R", "-h", "-d", "-m", "-", "-e", "hex", ".");
    Map<String, String> byPath = new TreeMap<>();
    String file = null;
    StringBuilder attrs = new StringBuilder();
    for (String line : (dump + "\n").split("\n", -1)) {
      if (line.startsWith("# file: ")) {
        file = line.substring("# file: ".length()).replaceFirst("^\\./", "");
      } else if (line.isEmpty() && file != null) {
        byPath.put(file, attrs.toString());
        file = null;
        attrs.setLength(0);
      } else if (file != null) {
        attrs.append(line).append('\n');
      }
    }
    return byPath;
  }
}
