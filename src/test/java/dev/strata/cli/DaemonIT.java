package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.testing.DaemonProcess;
import dev.strata.testing.OciLayouts;
import dev.strata.testing.Registries;
import dev.strata.testing.RegistryServer;
import dev.strata.testing.SampleImages;
import dev.strata.testing.ScratchDir;
import dev.strata.testing.StrataCli;
import dev.strata.testing.StrataCli.Run;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code strata daemon} as a real process over a real registry and real FUSE mounts: two configured
 * mounts come up and equal {@code umoci unpack}; the admin endpoints answer (history filtering,
 * sorting, paging and every 400; metrics moving with reads; health going 503 when a mount is
 * unmounted from outside and back to 200 once the daemon remounts it); {@code strata mount} and
 * {@code strata umount} go through the daemon and are remembered across restarts; SIGTERM leaves
 * nothing mounted and exits 0; a cached image mounts while its registry is down; a configuration
 * mistake stops the daemon at start.
 */
class DaemonIT {
  static ScratchDir scratch = ScratchDir.create("strata-daemon-it");
  static Path dir = scratch.path();
  static RegistryServer registry;
  static Path oracle;
  static Path busyboxLayout;
  static String layeredRef;
  static String busyboxRef;
  static String thirdRef;
  static OciLayoutsImage third;
  final List<DaemonProcess> daemons = new ArrayList<>();

  record OciLayoutsImage(List<String> entries) {}

  @BeforeAll
  static void images() throws Exception {
    registry = Registries.plain();
    byte[] big = new byte[6_000_000];
    new Random(11).nextBytes(big);
    Path layout = SampleImages.layered(dir.resolve("layout"), big);
    layeredRef = registry.hostPort() + "/daemon/layered:1.0";
    OciLayouts.pushWithSkopeo(layout, "1.0", layeredRef);
    busyboxRef = registry.hostPort() + "/daemon/busybox:1.0";
    busyboxLayout = SampleImages.busybox(dir.resolve("busybox"));
    OciLayouts.pushWithSkopeo(busyboxLayout, "1.0", busyboxRef);
    var built = OciLayouts.singleLayer(dir.resolve("third"), "1.0", 77);
    thirdRef = registry.hostPort() + "/daemon/third:1.0";
    OciLayouts.pushWithSkopeo(built.layoutDir(), "1.0", thirdRef);
    third = new OciLayoutsImage(built.images().getFirst().layers().getFirst().entries());
    oracle = dir.resolve("bundle");
    dev.strata.testing.Shell.run("umoci", "unpack", "--image", layout + ":1.0", oracle.toString());
  }

  @AfterEach
  void stopDaemons() throws Exception {
    for (DaemonProcess d : daemons) {
      d.close(); // SIGKILL if still running: the scratch dir then clears the mounts it left
    }
  }

  @AfterAll
  static void removeScratch() throws Exception {
    scratch.close();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A configuration with {@code mounts} (image → mount point) and the admin server on a port. */
  static Path config(Path state, int adminPort, Map<String, Path> mounts) throws Exception {
    StringBuilder yaml =
        new StringBuilder()
            .append("state_dir: ")
            .append(state)
            .append("\nlog_level: info\nadmin:\n  listen: 127.0.0.1:")
            .append(adminPort)
            .append("\nmounts:\n");
    for (Map.Entry<String, Path> m : mounts.entrySet()) {
      yaml.append("  - image: ").append(m.getKey()).append('\n');
      yaml.append("    mountpoint: ").append(m.getValue()).append('\n');
    }
    Path file = state.resolveSibling(state.getFileName() + ".yaml");
    Files.writeString(file, yaml.toString());
    return file;
  }

  DaemonProcess start(Path config, int adminPort) throws Exception {
    DaemonProcess d = DaemonProcess.start(config, "127.0.0.1:" + adminPort);
    daemons.add(d);
    return d;
  }

  static boolean mounted(Path mountpoint) {
    try {
      return Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + mountpoint + " ");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  static double metric(String scrape, String series) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE)
            .matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  static double tierHits(DaemonProcess d) throws Exception {
    String scrape = d.get("/metrics").body();
    double sum = 0;
    for (String tier : List.of("memory", "disk", "contentcache", "registry")) {
      sum += metric(scrape, "strata_tier_hits_total{tier=\"" + tier + "\"}");
    }
    return sum;
  }

  @Test
  void keepsTwoMountsServesTheAdminEndpointsAndComesBackAfterRestarts() throws Exception {
    Path state = dir.resolve("state");
    Path layered = dir.resolve("mnt/layered");
    Path busybox = dir.resolve("mnt/busybox");
    Path thirdMount = dir.resolve("mnt/third");
    int port = freePort();
    Path config =
        config(
            state,
            port,
            new java.util.LinkedHashMap<>(Map.of(layeredRef, layered, busyboxRef, busybox)));
    DaemonProcess daemon = start(config, port);
    daemon.awaitHealthy(Duration.ofMinutes(2));
    assertThat(mounted(layered)).isTrue();
    assertThat(mounted(busybox)).isTrue();
    assertThat(daemon.get("/metrics").body()).contains("strata_mounts 2.0");

    // metrics move when a file is read through a mount
    double before = tierHits(daemon);
    byte[] busyboxBinary = Files.readAllBytes(busybox.resolve("bin/busybox"));
    assertThat(busyboxBinary).isEqualTo(Files.readAllBytes(Path.of("/bin/busybox")));
    assertThat(tierHits(daemon)).isGreaterThan(before);
    assertThat(dev.strata.testing.Trees.describe(layered))
        .isEqualTo(dev.strata.testing.Trees.describe(oracle.resolve("rootfs")));
    assertThat(Files.readString(busybox.resolve("etc/motd"))).contains("lazily mounted");

    checkHistory(daemon);
    checkHealthWhenAMountIsUnmountedFromOutside(daemon, busybox);

    // strata mount through the daemon: it answers once mounted, and remembers it
    Run mount =
        StrataCli.run("--config", config.toString(), "mount", thirdRef, thirdMount.toString())
            .requireSuccess();
    assertThat(mount.out()).contains("mounted " + thirdRef).contains("by the strata daemon");
    assertThat(mounted(thirdMount)).isTrue();
    assertThat(Files.readString(state.resolve("mounts.json"))).contains(thirdRef);
    assertThat(daemon.get("/mounts").body()).contains(thirdRef).contains("\"source\" : \"cli\"");
    assertThat(listNames(thirdMount)).contains(third.entries().getFirst().split("/")[0]);
    assertThat(daemon.get("/metrics").body()).contains("strata_mounts 3.0");
    reportMemory(daemon);

    // SIGTERM: every mount gone, exit 0, daemon.json removed
    assertThat(daemon.stop()).as(daemon.log()).isZero();
    assertThat(mounted(layered)).isFalse();
    assertThat(mounted(busybox)).isFalse();
    assertThat(mounted(thirdMount)).isFalse();
    assertThat(state.resolve("daemon.json")).doesNotExist();

    // restart: both configured mounts and the remembered one are back
    DaemonProcess again = start(config, port);
    again.awaitHealthy(Duration.ofMinutes(2));
    assertThat(mounted(layered)).isTrue();
    assertThat(mounted(busybox)).isTrue();
    assertThat(mounted(thirdMount)).isTrue();
    assertThat(Files.readString(layered.resolve("etc/os-release")))
        .isEqualTo("ID=strata\nVERSION=2\n");

    // strata umount through the daemon forgets it; the next start does not mount it
    Run umount =
        StrataCli.run("--config", config.toString(), "umount", thirdMount.toString())
            .requireSuccess();
    assertThat(umount.out()).contains("unmounted " + thirdMount);
    assertThat(mounted(thirdMount)).isFalse();
    assertThat(Files.readString(state.resolve("mounts.json"))).doesNotContain(thirdRef);
    assertThat(again.stop()).isZero();
    DaemonProcess later = start(config, port);
    later.awaitHealthy(Duration.ofMinutes(2));
    assertThat(mounted(layered)).isTrue();
    assertThat(mounted(thirdMount)).isFalse();
    assertThat(later.stop()).isZero();
    assertThat(mounted(layered)).isFalse();
  }

  static List<String> listNames(Path dir) throws Exception {
    try (var list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).toList();
    }
  }

  void checkHistory(DaemonProcess d) throws Exception {
    HttpResponse<String> all = d.get("/history?sortby=layer_index&order=asc&page_size=100");
    assertThat(all.statusCode()).isEqualTo(200);
    assertThat(all.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    assertThat(all.body()).contains("layered").contains("busybox").contains("| 5 total results");

    String busyboxOnly = d.get("/history?q=BUSYBOX").body();
    assertThat(busyboxOnly).contains("busybox").doesNotContain("layered");
    assertThat(busyboxOnly).contains("Page 1 of 1 | 2 total results");

    List<String> asc = layerColumn(d.get("/history?q=layered&sortby=layer_index&order=asc").body());
    List<String> desc =
        layerColumn(d.get("/history?q=layered&sortby=layer_index&order=desc").body());
    assertThat(asc).containsExactly("0", "1", "2");
    assertThat(desc).containsExactly("2", "1", "0");

    String page1 = d.get("/history?sortby=layer_index&order=asc&page_size=2").body();
    String page3 = d.get("/history?sortby=layer_index&order=asc&page_size=2&page=3").body();
    assertThat(page1).endsWith("Page 1 of 3 | 5 total results\n");
    assertThat(layerColumn(page1)).hasSize(2);
    assertThat(page3).endsWith("Page 3 of 3 | 5 total results\n");
    assertThat(layerColumn(page3)).containsExactly("2");

    Map<String, String> bad =
        Map.of(
            "sortby=size", "invalid sortby 'size'",
            "order=up", "invalid order 'up'",
            "page=0", "invalid page '0'",
            "page=abc", "invalid page 'abc'",
            "page_size=0", "invalid page size '0'",
            "page_size=101", "invalid page size '101'");
    for (Map.Entry<String, String> b : bad.entrySet()) {
      HttpResponse<String> r = d.get("/history?" + b.getKey());
      assertThat(r.statusCode()).as(b.getKey()).isEqualTo(400);
      assertThat(r.body()).as(b.getKey()).contains(b.getValue()).contains("expected");
      assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
    }
  }

  /** The {@code layer} column of a history table (the 5th, right-aligned number). */
  static List<String> layerColumn(String table) {
    List<String> layers = new ArrayList<>();
    for (String line : table.split("\n")) {
      if (line.startsWith("scraped_at") || line.startsWith("Page ") || line.isBlank()) {
        continue;
      }
      String[] cols = line.trim().split("\\s+");
      layers.add(cols[4]);
    }
    return layers;
  }

  void checkHealthWhenAMountIsUnmountedFromOutside(DaemonProcess d, Path mount) throws Exception {
    assertThat(d.status("/healthz")).isEqualTo(200);
    assertThat(d.get("/healthz").body()).isEqualTo("ok\n");
    dev.strata.testing.Shell.run("fusermount3", "-u", mount.toString());
    HttpResponse<String> unhealthy = d.get("/healthz");
    assertThat(unhealthy.statusCode()).isEqualTo(503);
    assertThat(unhealthy.body()).contains("mount " + mount).contains(busyboxRef);
    d.await(Duration.ofMinutes(1), "the daemon to remount " + mount, () -> mounted(mount));
    d.awaitHealthy(Duration.ofMinutes(1));
    assertThat(Files.readString(mount.resolve("etc/motd"))).contains("lazily mounted");
    assertThat(d.log()).contains("unmounted from outside");
  }

  void reportMemory(DaemonProcess d) throws Exception {
    Thread.sleep(5_000); // idle: the reads above are done
    long rss = d.residentBytes();
    String line =
        String.format(
            "daemon RSS with 3 images mounted, idle after reads: %.1f MiB (pid %d)",
            rss / 1048576.0, d.pid());
    System.out.println(line);
    // next to the jar, in the build directory: the bench and the README take the figure from here
    Path report = Path.of(System.getProperty("strata.jar")).resolveSibling("daemon-memory.txt");
    Files.writeString(report, line + "\n");
    assertThat(rss).as(line).isLessThan(768L << 20);
  }

  @Test
  void aCachedImageMountsAndServesWhileItsRegistryIsDown() throws Exception {
    RegistryServer own = RegistryServer.plain();
    Path state = dir.resolve("state-offline");
    Path mount = dir.resolve("mnt/offline");
    int port = freePort();
    String ref = own.hostPort() + "/offline/busybox:1.0";
    try {
      OciLayouts.pushWithSkopeo(busyboxLayout, "1.0", ref);
      Path config = config(state, port, Map.of(ref, mount));
      DaemonProcess first = start(config, port);
      first.awaitHealthy(Duration.ofMinutes(2));
      assertThat(Files.readString(mount.resolve("etc/motd"))).contains("lazily mounted");
      assertThat(first.stop()).isZero();
    } finally {
      own.close();
    }
    Path config = state.resolveSibling(state.getFileName() + ".yaml");
    DaemonProcess offline = start(config, port);
    offline.awaitHealthy(Duration.ofMinutes(2));
    assertThat(Files.readString(mount.resolve("etc/motd"))).contains("lazily mounted");
    assertThat(Files.readAllBytes(mount.resolve("bin/busybox")))
        .isEqualTo(Files.readAllBytes(Path.of("/bin/busybox")));
    assertThat(offline.log()).contains("unreachable").contains("cached at");
    assertThat(offline.stop()).isZero();
    assertThat(mounted(mount)).isFalse();
  }

  @Test
  void aFailingMountIsReportedAndRetriedWithoutHoldingUpTheOthers() throws Exception {
    Path state = dir.resolve("state-failing");
    Path good = dir.resolve("mnt/good");
    Path bad = dir.resolve("mnt/bad");
    String missing = registry.hostPort() + "/daemon/missing:1.0";
    int port = freePort();
    Path config =
        config(state, port, new java.util.LinkedHashMap<>(Map.of(busyboxRef, good, missing, bad)));
    DaemonProcess d = start(config, port);
    d.await(Duration.ofMinutes(2), "the good mount", () -> mounted(good));
    d.await(Duration.ofMinutes(1), "the bad mount to fail", () -> d.status("/healthz") == 503);
    HttpResponse<String> health = d.get("/healthz");
    assertThat(health.body())
        .contains("mount " + bad + " (" + missing + ") is not mounted")
        .contains("not found")
        .doesNotContain(good.toString());
    assertThat(Files.readString(good.resolve("etc/motd"))).contains("lazily mounted");
    assertThat(d.get("/mounts").body()).contains("\"state\" : \"mounted\"").contains("failed: ");

    // control requests: a bad body is a 400; a mount that fails is not kept nor remembered
    HttpResponse<String> badBody = d.send("POST", "/mounts", "{\"image\": \"x:1\"}");
    assertThat(badBody.statusCode()).isEqualTo(400);
    assertThat(badBody.body()).contains("mountpoint: missing");
    Run refused =
        StrataCli.run(
            "--config", config.toString(), "mount", missing, dir.resolve("mnt/bad2").toString());
    assertThat(refused.status()).isEqualTo(1);
    assertThat(refused.err()).startsWith("strata: the daemon (pid " + d.pid() + "): mounting");
    assertThat(d.get("/mounts").body()).doesNotContain("bad2");
    assertThat(state.resolve("mounts.json")).doesNotExist();
    HttpResponse<String> taken =
        d.send(
            "POST",
            "/mounts",
            "{\"image\": \"" + thirdRef + "\", \"mountpoint\": \"" + good + "\"}");
    assertThat(taken.statusCode()).isEqualTo(409);
    assertThat(d.stop()).isZero();
    assertThat(mounted(good)).isFalse();
  }

  @Test
  void aConfigurationMistakeStopsTheDaemonAtStartNamingKeyAndLine() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "log_level: info\nadmn:\n  listen: 127.0.0.1:7399\n");
    Run run = StrataCli.run("daemon", "--config", file.toString());
    assertThat(run.status()).isEqualTo(2);
    assertThat(run.err().strip().lines()).hasSize(1);
    assertThat(run.err()).contains(file + ":2:").contains("admn").contains("unknown key");
    assertThat(run.err()).contains("did you mean 'admin'");
  }
}
