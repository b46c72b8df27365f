package dev.strata.cli;

import dev.strata.config.MountEntry;
import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.daemon.DaemonClient;
import dev.strata.fuse.FuseBinding;
import dev.strata.fuse.FuseMount;
import dev.strata.index.ImageIndexer;
import dev.strata.index.LayerIndexer;
import dev.strata.mount.ImageMount;
import dev.strata.mount.MountSpec;
import dev.strata.mount.Node;
import dev.strata.registry.ImageManifest;
import dev.strata.registry.RegistryClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code strata mount IMAGE MOUNTPOINT}: returns once the mount answers and serves on in the
 * background (a detached child process running {@code --foreground}); {@code --foreground} stays
 * attached and unmounts on SIGTERM/SIGINT.
 */
@Command(
    name = "mount",
    mixinStandardHelpOptions = true,
    description = "Mount an image read-only; its files are read on demand.")
final class MountCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE")
  String image;

  @Parameters(index = "1", paramLabel = "MOUNTPOINT")
  Path mountpoint;

  @Option(names = "--foreground", description = "Stay attached; unmount on SIGTERM or SIGINT.")
  boolean foreground;

  @Option(
      names = "--layers",
      description = "One directory per layer, whiteouts as overlayfs reads them (for lowerdir=).")
  boolean layers;

  @Option(
      names = "--allow-other",
      description =
          "Let other users (and a container runtime) see the mount; also honours setuid bits.")
  boolean allowOther;

  @Option(
      names = "--prefetch",
      paramLabel = "none|startup|all",
      description =
          "all: fill the cache in the background after mounting, lowest priority; startup is"
              + " accepted and for now behaves as none (default ${DEFAULT-VALUE}).")
  String prefetch = "none";

  @Option(
      names = "--binding",
      paramLabel = "jfuse|jnr",
      description = "FUSE binding (default: ${DEFAULT-VALUE}).")
  String binding = FuseBinding.defaultBinding().name().toLowerCase(Locale.ROOT);

  @Override
  public Integer call() throws Exception {
    Path target = mountpoint.toAbsolutePath().normalize();
    FuseBinding fuseBinding = parseBinding();
    MountSpec.Prefetch prefetchMode = parsePrefetch();
    if (!foreground) {
      Optional<DaemonClient> daemon = DaemonClient.find(root.global.stateDir());
      if (daemon.isPresent()) {
        return throughDaemon(daemon.get(), target);
      }
    }
    // a dead mount left by a killed strata answers nothing: clear it before anything else
    FuseMount.clearStale(target);
    if (!Files.isDirectory(target)) {
      throw new IllegalArgumentException("mountpoint " + target + " is not a directory");
    }
    if (FuseMount.isMounted(target)) {
      throw new IllegalStateException(
          target + " is already mounted (strata umount " + target + ")");
    }
    if (!foreground) {
      return detach(target);
    }
    Optional<ContentCacheClient> contentCache = root.global.contentCacheClient(); // lives on
    Node node = root.global.node(contentCache);
    ImageMount mount;
    try (RegistryClient client = root.global.registryClient(contentCache)) {
      ImageManifest manifest = node.resolve(client, root.global.image(image));
      List<ImageIndexer.LayerResult> indexed =
          IndexCommand.indexImage(
              root.global, client, contentCache, manifest, LayerIndexer.DEFAULT_SPAN_TARGET);
      mount =
          node.mount(
              manifest, indexed, node.spec(target, layers, allowOther, fuseBinding, prefetchMode));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("mounted %s at %s%n", mount.manifest().ref(), target);
    out.flush();
    ImageMount toClose = mount;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  toClose.close();
                  contentCache.ifPresent(ContentCacheClient::close);
                }));
    // Serve until unmounted from outside (strata umount, fusermount -u) or signalled.
    while (FuseMount.isMounted(target)) {
      Thread.sleep(1_000);
    }
    mount.close();
    contentCache.ifPresent(ContentCacheClient::close);
    return 0;
  }

  /**
   * Asks the running daemon to mount (it keeps the mount, remembers it across restarts, and answers
   * once the mount answers) and prints its answer. {@code --binding} is the daemon's to choose.
   */
  private int throughDaemon(DaemonClient daemon, Path target) throws IOException {
    MountEntry entry =
        new MountEntry(image, target, layers, allowOther, MountEntry.Prefetch.parse(prefetch));
    DaemonClient.Reply reply = daemon.mount(entry);
    if (!reply.ok()) {
      throw new IOException("the daemon (pid " + daemon.pid() + "): " + reply.body().strip());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%s (by the strata daemon, pid %d)%n", reply.body().strip(), daemon.pid());
    out.flush();
    return 0;
  }

  /**
   * Starts this same command with {@code --foreground} as a detached child, logging to the state
   * directory, and returns once the mount answers (or says why it could not).
   */
  private int detach(Path target) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("setsid");
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(List.of(ProcessHandle.current().info().arguments().orElseThrow()));
    command.add("--foreground");
    Path logs = Files.createDirectories(root.global.stateDir().resolve("logs"));
    Path log = logs.resolve("mount-" + target.toString().replaceAll("[^A-Za-z0-9]+", "_") + ".log");
    Process child =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(log.toFile())
            .redirectErrorStream(true)
            .start();
    long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (FuseMount.isMounted(target)) {
        spec.commandLine()
            .getOut()
            .printf("mounted %s at %s (pid %d, log %s)%n", image, target, child.pid(), log);
        spec.commandLine().getOut().flush();
        return 0;
      }
      if (!child.isAlive()) {
        throw new IOException(
            lastLine(log, "the mount process exited with status " + child.exitValue()));
      }
      Thread.sleep(100);
    }
    child.destroy();
    throw new IOException("the mount of " + image + " at " + target + " did not come up");
  }

  private static String lastLine(Path log, String fallback) throws IOException {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i).strip();
      if (line.startsWith("strata: ")) {
        return line.substring("strata: ".length());
      }
    }
    return fallback;
  }

  private FuseBinding parseBinding() {
    try {
      return FuseBinding.valueOf(binding.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown --binding '" + binding + "': expected jfuse or jnr");
    }
  }

  private MountSpec.Prefetch parsePrefetch() {
    return switch (prefetch) {
      case "none", "startup" -> MountSpec.Prefetch.NONE;
      case "all" -> MountSpec.Prefetch.ALL;
      default ->
          throw new IllegalArgumentException(
              "unknown --prefetch '" + prefetch + "': expected none, startup or all");
    };
  }
}
