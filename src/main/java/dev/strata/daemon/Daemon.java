package dev.strata.daemon;

import dev.strata.admin.AdminServer;
import dev.strata.config.MountEntry;
import dev.strata.config.StrataConfig;
import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.contentcache.client.EndpointStatus;
import dev.strata.metrics.StrataMetrics;
import dev.strata.mount.Node;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code strata daemon}: runs until SIGTERM/SIGINT.
 *
 * <ol>
 *   <li>refuses to start when another daemon runs over the same state directory;
 *   <li>connects the ContentCache (when configured) and starts the admin server ({@code /history},
 *       {@code /metrics}, {@code /healthz}, and {@code /mounts} for loopback clients), then writes
 *       {@code <state>/daemon.json} so the CLI finds it;
 *   <li>mounts every configured and remembered mount concurrently, each clearing a stale mount
 *       first and retrying on its own when it fails;
 *   <li>tells systemd it is ready once every mount answers or has failed (logged, and reported by
 *       {@code /healthz});
 *   <li>on SIGTERM: unmounts everything, stops the admin server, closes the ContentCache client,
 *       removes {@code daemon.json}, and returns 0.
 * </ol>
 */
public final class Daemon {
  private static final Logger log = LoggerFactory.getLogger(Daemon.class);

  /** How long start-up waits for the first attempt of every mount before saying it is ready. */
  static final Duration READY_TIMEOUT = Duration.ofMinutes(9);

  /** How often {@code strata_contentcache_up} is refreshed from the client's view. */
  static final Duration CONTENTCACHE_REFRESH = Duration.ofSeconds(10);

  private Daemon() {}

  /** Runs the daemon described by {@code config} until it is told to stop; returns 0. */
  public static int run(StrataConfig config) throws Exception {
    long pid = ProcessHandle.current().pid();
    Files.createDirectories(config.stateDir());
    Optional<DaemonFile> other = DaemonFile.running(config.stateDir());
    if (other.isPresent() && other.get().pid() != pid) {
      throw new IllegalStateException(
          "a strata daemon already runs over "
              + config.stateDir()
              + " (pid "
              + other.get().pid()
              + ", admin "
              + other.get().admin()
              + ")");
    }
    CountDownLatch stop = new CountDownLatch(1);
    TerminationSignals.onTerminate(stop::countDown);
    Optional<ContentCacheClient> contentCache = NodeConfig.contentCache(config.contentcache());
    Node node = NodeConfig.node(config, contentCache);
    RememberedMounts remembered = new RememberedMounts(config.stateDir());
    List<MountEntry> rememberedEntries = remembered.load();
    DaemonMounts mounts = new DaemonMounts(node, remembered);
    mounts.register(config.mounts(), rememberedEntries);
    ScheduledExecutorService refresh = Executors.newSingleThreadScheduledExecutor();
    try (AdminServer admin =
        AdminServer.start(
            config.admin().listen(),
            config.stateDir(),
            StrataMetrics.global()::scrape,
            mounts::health,
            Map.of("/mounts", new MountsEndpoint(mounts)))) {
      String address = reachable(admin.address());
      new DaemonFile(pid, address).write(config.stateDir());
      log.info("admin HTTP on {} (state {}, pid {})", address, config.stateDir(), pid);
      if (contentCache.isPresent()) {
        ContentCacheClient cache = contentCache.get();
        // runs until shutdownNow; publishEndpoints catches its own failures
        var unused =
            refresh.scheduleWithFixedDelay(
                () -> publishEndpoints(cache),
                0,
                CONTENTCACHE_REFRESH.toSeconds(),
                TimeUnit.SECONDS);
      }
      mounts.startAll();
      Thread.ofVirtual().name("strata-ready").start(() -> announceReady(mounts));
      stop.await();
      log.info("stopping: unmounting everything");
      SystemdNotify.stopping();
      mounts.close();
    } finally {
      refresh.shutdownNow();
      contentCache.ifPresent(ContentCacheClient::close);
      DaemonFile.remove(config.stateDir(), pid);
    }
    log.info("stopped");
    return 0;
  }

  /** Tells systemd the daemon is ready once every mount answers or has failed. */
  private static void announceReady(DaemonMounts mounts) {
    try {
      int total = mounts.list().size();
      int up = mounts.awaitFirstAttempts(READY_TIMEOUT);
      String status = up + " of " + total + " mounts up";
      log.info("ready: {}", status);
      SystemdNotify.ready(status);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void publishEndpoints(ContentCacheClient cache) {
    try {
      for (EndpointStatus s : cache.endpoints()) {
        StrataMetrics.global().contentCacheUp(s.endpoint().address(), s.up());
      }
    } catch (RuntimeException e) {
      log.debug("cannot read the ContentCache endpoints: {}", e.toString());
    }
  }

  /** The address a local client reaches the admin server on: loopback when it listens on any. */
  static String reachable(InetSocketAddress bound) {
    String host =
        bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
  }
}
