package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.testing.Fault;
import dev.strata.testing.FaultProxy;
import dev.strata.testing.OciLayouts;
import dev.strata.testing.Registries;
import dev.strata.testing.RegistryServer;
import dev.strata.testing.SampleImages;
import dev.strata.testing.ScratchDir;
import dev.strata.testing.Shell;
import dev.strata.testing.StrataCli;
import dev.strata.testing.StrataCli.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real FUSE mounts through {@code strata mount}, with each binding: the merged view equals {@code
 * umoci unpack}; writes fail; the disk cache serves a second mount without the registry; a stale
 * mount is cleared; programs run from the mount with chroot, through overlayfs, and over {@code
 * --layers}.
 */
class MountIT {
  static ScratchDir scratch = ScratchDir.create("strata-mount-it");
  static Path dir = scratch.path();
  static RegistryServer registry;
  static Path oracle;
  static byte[] big = new byte[6_000_000];
  final List<Path> mounted = new java.util.ArrayList<>();

  @AfterAll
  static void removeScratch() throws Exception {
    scratch.close();
  }

  @BeforeAll
  static void images() throws Exception {
    registry = Registries.plain();
    new Random(5).nextBytes(big);
    Path layout = SampleImages.layered(dir.resolve("layout"), big);
    OciLayouts.pushWithSkopeo(layout, "1.0", registry.hostPort() + "/mount/layered:1.0");
    Path busybox = SampleImages.busybox(dir.resolve("busybox"));
    OciLayouts.pushWithSkopeo(busybox, "1.0", registry.hostPort() + "/mount/busybox:1.0");
    oracle = dir.resolve("bundle");
    Shell.run("umoci", "unpack", "--image", layout + ":1.0", oracle.toString());
  }

  @AfterEach
  void unmountEverything() throws Exception {
    for (Path m : mounted) {
      new ProcessBuilder("umount", "-l", m.toString()).start().waitFor();
    }
  }

  Run mount(Path state, String binding, String image, Path target, String... extra)
      throws Exception {
    Files.createDirectories(target);
    List<String> args =
        new java.util.ArrayList<>(
            List.of("--state-dir", state.toString(), "mount", "--binding", binding));
    args.addAll(List.of(extra));
    args.add(registry.hostPort() + "/mount/" + image);
    args.add(target.toString());
    Run run = StrataCli.run(args.toArray(String[]::new)).requireSuccess();
    mounted.add(target);
    return run;
  }

  static int blobReads(String repo) {
    return registry.countRequests("GET", "/v2/mount/" + repo + "/blobs/sha256:.*");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jnr", "jfuse"})
  void theMountEqualsUmociUnpackAndIsReadOnly(String binding) throws Exception {
    Path state = dir.resolve("state-" + binding);
    Path target = dir.resolve("mnt-" + binding);
    Run run = mount(state, binding, "layered:1.0", target);
    assertThat(run.out()).contains("mounted");
    assertThat(Files.readString(Path.of("/proc/mounts"))).contains(target.toString());
    int afterIndexing = blobReads("layered");

    assertThat(dev.strata.testing.Trees.describe(target))
        .isEqualTo(dev.strata.testing.Trees.describe(oracle.resolve("rootfs")));
    // indexing kept every span it decompressed: reading the whole image costs no more requests
    assertThat(blobReads("layered")).isEqualTo(afterIndexing);
    UserDefinedFileAttributeView xattrs =
        Files.getFileAttributeView(
            target.resolve("etc/labelled"), UserDefinedFileAttributeView.class);
    assertThat(xattrs.list()).contains("strata.test");
    assertThat(Files.readString(target.resolve("etc/os-release")))
        .isEqualTo("ID=strata\nVERSION=2\n");
    assertThatThrownBy(() -> Files.writeString(target.resolve("etc/new"), "x"))
        .hasMessageContaining("Read-only file system");
    assertThatThrownBy(() -> Files.delete(target.resolve("etc/hostname")))
        .hasMessageContaining("Read-only file system");
    String options = mountOptions(target);
    assertThat(options).contains("ro").contains("nodev").contains("nosuid");

    StrataCli.run("umount", target.toString()).requireSuccess();
    assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(target.toString());
    try (var list = Files.list(target)) {
      assertThat(list).isEmpty();
    }

    // a second mount on the same node reads what it read before from the disk cache
    int before = blobReads("layered");
    mount(state, binding, "layered:1.0", target);
    assertThat(dev.strata.testing.Trees.describe(target))
        .isEqualTo(dev.strata.testing.Trees.describe(oracle.resolve("rootfs")));
    assertThat(blobReads("layered")).isEqualTo(before);
    StrataCli.run("umount", target.toString()).requireSuccess();
  }

  @ParameterizedTest
  @ValueSource(strings = {"jnr", "jfuse"})
  void programsRunFromTheMountDirectlyThroughOverlayfsAndOverLayers(String binding)
      throws Exception {
    Path state = dir.resolve("state-busybox-" + binding);
    Path target = dir.resolve("bb-" + binding);
    mount(state, binding, "busybox:1.0", target, "--allow-other");
    assertThat(Shell.run("chroot", target.toString(), "/bin/sh", "-c", "cat /etc/motd; ls /etc"))
        .contains("lazily mounted")
        .contains("os-release")
        .doesNotContain("removed");

    // how a runtime uses it: a writable overlay on top of the read-only mount
    Path upper = Files.createDirectories(dir.resolve("upper-" + binding));
    Path work = Files.createDirectories(dir.resolve("work-" + binding));
    Path merged = Files.createDirectories(dir.resolve("merged-" + binding));
    Shell.run(
        "mount",
        "-t",
        "overlay",
        "overlay",
        "-o",
        "lowerdir=" + target + ",upperdir=" + upper + ",workdir=" + work,
        merged.toString());
    mounted.add(merged);
    assertThat(
            Shell.run(
                "chroot",
                merged.toString(),
                "/bin/sh",
                "-c",
                "echo written > /tmp/new && cat /tmp/new && cat /etc/motd"))
        .contains("written")
        .contains("lazily mounted");
    assertThat(upper.resolve("tmp/new")).hasContent("written");
    Shell.run("umount", merged.toString());

    // --layers: one lower directory per layer, merged by the kernel
    Path layers = dir.resolve("layers-" + binding);
    mount(state, binding, "busybox:1.0", layers, "--layers", "--allow-other");
    Path merged2 = Files.createDirectories(dir.resolve("merged2-" + binding));
    Shell.run(
        "mount",
        "-t",
        "overlay",
        "overlay",
        "-o",
        "lowerdir=" + layers.resolve("1") + ":" + layers.resolve("0"),
        merged2.toString());
    mounted.add(merged2);
    assertThat(Shell.run("chroot", merged2.toString(), "/bin/sh", "-c", "cat /etc/motd; ls /etc"))
        .contains("lazily mounted")
        .doesNotContain("removed");
    Shell.run("umount", merged2.toString());
    StrataCli.run("umount", layers.toString()).requireSuccess();
    StrataCli.run("umount", target.toString()).requireSuccess();
  }

  @ParameterizedTest
  @ValueSource(strings = {"jnr", "jfuse"})
  void aStaleMountLeftByAKilledProcessIsCleared(String binding) throws Exception {
    Path state = dir.resolve("state-stale-" + binding);
    Path target = dir.resolve("stale-" + binding);
    Run run = mount(state, binding, "layered:1.0", target);
    Matcher pid = Pattern.compile("pid (\\d+)").matcher(run.out());
    assertThat(pid.find()).as(run.out()).isTrue();
    Shell.run("kill", "-9", pid.group(1));
    Thread.sleep(500);
    // stat of the root may still answer from the kernel's attribute cache; listing cannot
    assertThatThrownBy(
            () -> {
              try (var entries = Files.newDirectoryStream(target)) {
                entries.iterator().hasNext();
              }
            })
        .hasMessageContaining("not connected");
    mount(state, binding, "layered:1.0", target);
    assertThat(Files.readString(target.resolve("etc/hostname"))).isEqualTo("layered\n");
    StrataCli.run("umount", target.toString()).requireSuccess();
  }

  @ParameterizedTest
  @ValueSource(strings = {"jnr", "jfuse"})
  void sigtermUnmountsCleanly(String binding) throws Exception {
    Path target = dir.resolve("term-" + binding);
    Run run = mount(dir.resolve("state-term-" + binding), binding, "layered:1.0", target);
    Matcher pid = Pattern.compile("pid (\\d+)").matcher(run.out());
    assertThat(pid.find()).isTrue();
    Shell.run("kill", "-TERM", pid.group(1));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (Files.readString(Path.of("/proc/mounts")).contains(target.toString())
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(target.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"jnr", "jfuse"})
  void aReadTheRegistryCannotServeFailsWithEioNeverWrongBytes(String binding) throws Exception {
    try (FaultProxy proxy = FaultProxy.inFrontOf(registry)) {
      Path state = dir.resolve("state-eio-" + binding);
      Path target = dir.resolve("eio-" + binding);
      Path cache = dir.resolve("cache-eio-" + binding);
      Files.createDirectories(target);
      StrataCli.run(
              "--state-dir",
              state.toString(),
              "--cache-dir",
              cache.toString(),
              "--retries",
              "1",
              "mount",
              "--binding",
              binding,
              proxy.hostPort() + "/mount/layered:1.0",
              target.toString())
          .requireSuccess();
      mounted.add(target);
      // indexing filled the span cache; empty it so that reads must go to the registry
      Shell.run("sh", "-c", "rm -rf " + cache + "/*");
      proxy.arm(Fault.status(503), "GET", "/v2/mount/layered/blobs/.*", FaultProxy.ALWAYS);
      assertThatThrownBy(() -> Files.readAllBytes(target.resolve("var/lib/app/new")))
          .hasMessageContaining("Input/output error");
      proxy.reset();
      proxy.arm(Fault.corruptBodyByte(20), "GET", "/v2/mount/layered/blobs/.*", FaultProxy.ALWAYS);
      assertThatThrownBy(() -> Files.readAllBytes(target.resolve("etc/hostname")))
          .hasMessageContaining("Input/output error");
      proxy.reset();
      assertThat(Files.readString(target.resolve("etc/hostname"))).isEqualTo("layered\n");
      StrataCli.run("umount", target.toString()).requireSuccess();
    }
  }

  static String mountOptions(Path target) throws Exception {
    Map<String, String> byPoint = new TreeMap<>();
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      String[] f = line.split(" ");
      byPoint.put(f[1], f[3]);
    }
    return byPoint.getOrDefault(target.toString(), "");
  }
}
