package dev.strata.cachewriter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.testing.ContentCacheProcess;
import dev.strata.testing.OciLayouts;
import dev.strata.testing.Registries;
import dev.strata.testing.RegistryServer;
import dev.strata.testing.ScratchDir;
import dev.strata.testing.Shell;
import dev.strata.testing.StrataCli;
import dev.strata.testing.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cluster of strata nodes as separate processes — each its own state and span cache — sharing one
 * or two ContentCache servers (separate processes) in front of a real registry: the first node pays
 * for the image, the next ones do not touch the registry; a dead, lying or lost cache server costs
 * only fall-through to the registry, never wrong bytes.
 */
class ClusterIT {
  static final String DEBIAN = "cluster/debian:1";
  static final String LAYERED = "cluster/layered:1";
  static final String READ_SET =
      "cat /etc/debian_version; ls /usr/bin | wc -l; dpkg-query -W -f='${Package}\\n' | wc -l;"
          + " /opt/strata/bin/hello cluster; id -u";
  static ScratchDir scratch = ScratchDir.create("strata-cluster-it");
  static Path dir = scratch.path();
  static RegistryServer registry;
  static Path layeredOracle;
  final List<Path> mounted = java.util.Collections.synchronizedList(new ArrayList<>());
  final List<ContentCacheProcess> servers = new ArrayList<>();
  static final java.util.concurrent.atomic.AtomicInteger NODES =
      new java.util.concurrent.atomic.AtomicInteger();

  @BeforeAll
  static void images() throws Exception {
    registry = Registries.plain();
    Path debian = dir.resolve("debian");
    Shell.run(
        Path.of(System.getProperty("strata.project.dir"), "scripts/debian-image").toString(),
        debian.toString());
    OciLayouts.pushWithSkopeo(debian, "1", registry.hostPort() + "/" + DEBIAN);
    Path layered = dir.resolve("layered");
    OciLayouts.image(layered, "1", 77, 8, 3_000_000);
    OciLayouts.pushWithSkopeo(layered, "1", registry.hostPort() + "/" + LAYERED);
    layeredOracle = dir.resolve("layered-bundle");
    Shell.run("umoci", "unpack", "--image", layered + ":1", layeredOracle.toString());
  }

  @AfterAll
  static void removeScratch() throws Exception {
    scratch.close();
  }

  @AfterEach
  void stopEverything() throws Exception {
    for (Path m : mounted.reversed()) {
      new ProcessBuilder("umount", "-l", m.toString()).start().waitFor();
    }
    for (ContentCacheProcess server : servers) {
      server.close();
    }
  }

  @Test
  void theSecondNodeStartsWithoutTouchingTheRegistry() throws Exception {
    String cache = server().hostPort();
    long startA = System.nanoTime();
    Node a = mount(DEBIAN, cache);
    String outA = a.run(READ_SET);
    double secondsA = (System.nanoTime() - startA) / 1e9;
    assertThat(outA).contains("hello from layer 2: cluster");
    int blobGetsAfterA = blobGets("cluster/debian");
    assertThat(blobGetsAfterA).as("node A streamed each layer to index it").isPositive();

    long startB = System.nanoTime();
    Node b = mount(DEBIAN, cache);
    String outB = b.run(READ_SET);
    double secondsB = (System.nanoTime() - startB) / 1e9;
    assertThat(outB).isEqualTo(outA);
    assertThat(blobGets("cluster/debian"))
        .as("registry blob GETs by node B")
        .isEqualTo(blobGetsAfterA);
    assertThat(Files.readString(b.log()))
        .contains("found in the ContentCache")
        .doesNotContain("bad copy");
    System.out.printf(
        Locale.ROOT,
        "cluster cold start (mount + read set): node A %.2f s (indexes and publishes),"
            + " node B %.2f s (ContentCache only, 0 registry blob requests)%n",
        secondsA,
        secondsB);

    // the whole image through node B equals node A's view, still without the registry
    assertThat(Trees.describe(b.mountpoint())).isEqualTo(Trees.describe(a.mountpoint()));
    assertThat(blobGets("cluster/debian")).isEqualTo(blobGetsAfterA);
  }

  @Test
  void aCacheServerStoppedMidReadsCostsNoMoreThanItsDeadline() throws Exception {
    ContentCacheProcess server = server();
    mount(DEBIAN, server.hostPort()).run(READ_SET);
    Node b = mount(DEBIAN, server.hostPort());
    assertThat(b.run("cat /etc/debian_version")).startsWith("12.");
    int before = blobGets("cluster/debian");
    server.kill();

    long start = System.nanoTime();
    String out = b.run(READ_SET);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(out).contains("hello from layer 2: cluster");
    assertThat(blobGets("cluster/debian"))
        .as("reads fell through to the registry")
        .isGreaterThan(before);
    // one deadline (2 s) for the first read that finds the server dead, then it is skipped
    assertThat(seconds).as("read set after the cache died, seconds").isLessThan(30);
    System.out.printf(Locale.ROOT, "read set with the ContentCache killed: %.2f s%n", seconds);
  }

  @Test
  void aCacheServingCorruptBytesIsCaughtByTheSpanDigests() throws Exception {
    Path storage = dir.resolve("cc-corrupt");
    ContentCacheProcess server = server(storage);
    Node a = mount(DEBIAN, server.hostPort());
    String expected = a.run(READ_SET);
    server.stop();
    // flip bytes all through every stored layer (the indexes are left alone)
    int corrupted = 0;
    try (Stream<Path> files = Files.walk(storage.resolve("content"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        if (Files.size(file) > 10_000_000) {
          corrupt(file);
          corrupted++;
        }
      }
    }
    assertThat(corrupted).isPositive();
    ContentCacheProcess restarted = server(storage);

    int before = blobGets("cluster/debian");
    Node b = mount(DEBIAN, restarted.hostPort());
    assertThat(b.run(READ_SET)).isEqualTo(expected);
    assertThat(blobGets("cluster/debian"))
        .as("good copies came from the registry")
        .isGreaterThan(before);
    assertThat(Files.readString(b.log())).contains("contentcache tier served a bad copy");
  }

  @Test
  void twoServersShareTheContentAndLosingOneLosesOnlyItsShare() throws Exception {
    Path storage1 = dir.resolve("cc-two-1");
    Path storage2 = dir.resolve("cc-two-2");
    ContentCacheProcess s1 = server(storage1);
    ContentCacheProcess s2 = server(storage2);
    String both = s1.hostPort() + "," + s2.hostPort();
    Node a = mount(LAYERED, both);
    assertThat(Trees.describe(a.mountpoint()))
        .isEqualTo(Trees.describe(layeredOracle.resolve("rootfs")));
    Set<String> on1 = stored(storage1);
    Set<String> on2 = stored(storage2);
    assertThat(on1).as("contents on server 1").isNotEmpty().doesNotContainAnyElementsOf(on2);
    assertThat(on2).as("contents on server 2").isNotEmpty();

    s1.kill();
    int before = registry.accessLog().size();
    Node b = mount(LAYERED, both);
    assertThat(Trees.describe(b.mountpoint()))
        .isEqualTo(Trees.describe(layeredOracle.resolve("rootfs")));
    List<RegistryServer.AccessLogEntry> log = registry.accessLog();
    Set<String> refetched =
        log.subList(before, log.size()).stream()
            .filter(e -> e.method().equals("GET") && e.path().contains("/cluster/layered/blobs/"))
            .map(e -> e.path().replaceAll(".*/blobs/", ""))
            .collect(Collectors.toSet());
    System.out.printf(
        Locale.ROOT,
        "two servers: %d/%d contents on server 1; with it dead node B fetched %d blobs (8 layers"
            + " + config) from the registry%n",
        on1.size(),
        on1.size() + on2.size(),
        refetched.size());
    // exactly the layers with something (reference, index or content) on the dead server
    Map<String, String> refs1 = references(storage1);
    Map<String, String> refs = new TreeMap<>(references(storage2));
    refs.putAll(refs1);
    Set<String> expected = new java.util.TreeSet<>();
    for (Map.Entry<String, String> layer : layers(dir.resolve("layered")).entrySet()) {
      String reference =
          ClusterIndexes.indexReference(dev.strata.registry.Digest.parse(layer.getKey()));
      String indexHash = refs.get(reference);
      assertThat(indexHash).as("the index of %s was published", layer.getKey()).isNotNull();
      if (refs1.containsKey(reference)
          || on1.contains(hex(indexHash))
          || on1.contains(hex(layer.getValue()))) {
        expected.add(layer.getKey());
      }
    }
    String config = config(dir.resolve("layered"));
    if (on1.contains(hex(config))) {
      expected.add(config); // configs are shared through the ContentCache too
    }
    assertThat(refetched).isEqualTo(expected);
  }

  static String hex(String digest) {
    return digest.substring(digest.indexOf(':') + 1);
  }

  /** The references a server holds: name to hash. */
  static Map<String, String> references(Path storage) throws Exception {
    Map<String, String> refs = new TreeMap<>();
    if (!Files.isDirectory(storage.resolve("refs"))) {
      return refs;
    }
    try (Stream<Path> files = Files.list(storage.resolve("refs"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        List<String> lines = Files.readAllLines(file);
        if (lines.size() >= 2) {
          refs.put(lines.get(0), lines.get(1));
        }
      }
    }
    return refs;
  }

  /** Layer digest to diff ID, from an OCI layout's first image. */
  static Map<String, String> layers(Path layout) throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var index = json.readTree(layout.resolve("index.json").toFile());
    var manifest =
        json.readTree(blob(layout, index.path("manifests").get(0).path("digest").asText()));
    var config = json.readTree(blob(layout, manifest.path("config").path("digest").asText()));
    Map<String, String> layers = new TreeMap<>();
    for (int i = 0; i < manifest.path("layers").size(); i++) {
      layers.put(
          manifest.path("layers").get(i).path("digest").asText(),
          config.path("rootfs").path("diff_ids").get(i).asText());
    }
    return layers;
  }

  static String config(Path layout) throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var index = json.readTree(layout.resolve("index.json").toFile());
    var manifest =
        json.readTree(blob(layout, index.path("manifests").get(0).path("digest").asText()));
    return manifest.path("config").path("digest").asText();
  }

  static java.io.File blob(Path layout, String digest) {
    return layout.resolve("blobs/sha256/" + hex(digest)).toFile();
  }

  @Test
  void nodesStartingAtOnceFetchTheImageFromTheRegistryAboutOnce() throws Exception {
    String cache = server().hostPort();
    long before = blobBytes("cluster/debian");
    List<java.util.concurrent.Future<String>> runs = new ArrayList<>();
    try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 4; i++) {
        runs.add(executor.submit(() -> mount(DEBIAN, cache).run(READ_SET)));
      }
      for (var run : runs) {
        assertThat(run.get()).contains("hello from layer 2: cluster");
      }
    }
    long fetched = blobBytes("cluster/debian") - before;
    long image = 0;
    try (Stream<Path> blobs = Files.list(dir.resolve("debian/blobs/sha256"))) {
      for (Path blob : blobs.toList()) {
        image += Files.size(blob);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "4 nodes starting at once: registry served %d bytes for a %d-byte image (%.2f copies)%n",
        fetched,
        image,
        (double) fetched / image);
    assertThat((double) fetched / image).as("copies of the image served").isLessThan(1.5);
  }

  static long blobBytes(String repo) {
    return registry.bytesServed("GET", "/v2/" + repo + "/blobs/.*");
  }

  /** One strata node: its own state directory and span cache, its mount process. */
  record Node(Path state, Path mountpoint) {
    String run(String script) throws Exception {
      return Shell.run("chroot", mountpoint.toString(), "/bin/sh", "-c", script);
    }

    Path log() throws Exception {
      try (Stream<Path> logs = Files.list(state.resolve("logs"))) {
        return logs.findFirst().orElseThrow();
      }
    }
  }

  Node mount(String image, String contentCache) throws Exception {
    int n = NODES.getAndIncrement();
    Path state = dir.resolve("node-" + n);
    Path target = Files.createDirectories(dir.resolve("mnt-" + n));
    StrataCli.run(
            "--state-dir",
            state.toString(),
            "--contentcache",
            contentCache,
            "--verbose",
            "mount",
            "--allow-other",
            registry.hostPort() + "/" + image,
            target.toString())
        .requireSuccess();
    mounted.add(target);
    return new Node(state, target);
  }

  ContentCacheProcess server() throws Exception {
    return server(dir.resolve("cc-" + NODES.get() + "-" + servers.size()));
  }

  ContentCacheProcess server(Path storage) throws Exception {
    ContentCacheProcess server = ContentCacheProcess.start(storage);
    servers.add(server);
    return server;
  }

  static Set<String> stored(Path storage) throws Exception {
    try (Stream<Path> files = Files.walk(storage.resolve("content"))) {
      return files
          .filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .collect(Collectors.toSet());
    }
  }

  static void corrupt(Path file) throws Exception {
    try (var channel =
        java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      long size = channel.size();
      for (long at = 4096; at < size; at += 256 * 1024) {
        channel.write(java.nio.ByteBuffer.wrap(new byte[] {0x5a, 0x5a, 0x5a, 0x5a}), at);
      }
    }
  }

  static int blobGets(String repo) {
    return registry.countRequests("GET", "/v2/" + repo + "/blobs/sha256:.*");
  }
}
