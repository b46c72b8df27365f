package dev.strata.daemon;

import dev.strata.config.MountEntry;
import dev.strata.fuse.FuseBinding;
import dev.strata.fuse.FuseMount;
import dev.strata.mount.ImageMount;
import dev.strata.mount.MountSpec;
import dev.strata.mount.Node;
import dev.strata.registry.ImageRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mount the daemon keeps: a thread that clears a stale mount at the mount point, mounts
 * (resolve → index → FUSE), and then watches it. A failed attempt is retried with exponential
 * back-off (1 s up to 5 min); a mount that disappears (someone ran {@code fusermount -u}) is
 * remounted at the next check, {@link #WATCH_INTERVAL} later, so {@code /healthz} reports it gone
 * meanwhile.
 */
final class SupervisedMount {
  private static final Logger log = LoggerFactory.getLogger(SupervisedMount.class);

  /** How often a mount is checked for still being in the mount table. */
  static final Duration WATCH_INTERVAL = Duration.ofSeconds(2);

  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

  /** How long {@link #stop} lets a mount in progress finish before interrupting it. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  /** Where the mount comes from: the configuration file, or {@code strata mount} (remembered). */
  enum Source {
    CONFIG,
    CLI;

    String text() {
      return this == CONFIG ? "config" : "cli";
    }
  }

  private final MountEntry entry;
  private final Source source;
  private final Node node;
  private final CountDownLatch firstAttempt = new CountDownLatch(1);
  private final Object lock = new Object();
  private volatile ImageMount mount;
  private volatile String failure;
  private boolean stopped; // guarded by lock
  private Thread thread;

  SupervisedMount(MountEntry entry, Source source, Node node) {
    this.entry = entry;
    this.source = source;
    this.node = node;
  }

  MountEntry entry() {
    return entry;
  }

  Source source() {
    return source;
  }

  Path mountpoint() {
    return entry.mountpoint();
  }

  void start() {
    thread = Thread.ofVirtual().name("strata-mount " + entry.mountpoint()).start(this::supervise);
  }

  /** Waits until the first attempt mounted or failed; returns whether it is mounted. */
  boolean awaitFirstAttempt(Duration timeout) throws InterruptedException {
    firstAttempt.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    return mount != null;
  }

  /** {@code mounted}, {@code mounting} or {@code failed: why}, for {@code GET /mounts}. */
  String state() {
    if (mount != null) {
      return "mounted";
    }
    String why = failure;
    return why == null ? "mounting" : "failed: " + why;
  }

  /** Why the last attempt failed, if it did. */
  Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  /** Why it does not serve, or empty when it does (see {@link ImageMount#problem}). */
  Optional<String> problem(Duration timeout) {
    ImageMount current = mount;
    if (current == null) {
      String why = failure;
      return Optional.of(why == null ? "is being mounted" : "is not mounted: " + why);
    }
    return current.problem(timeout);
  }

  private void supervise() {
    try {
      superviseUntilStopped();
    } finally {
      firstAttempt.countDown(); // stopped before a first attempt ended: nobody waits forever
    }
  }

  private void superviseUntilStopped() {
    Duration backoff = FIRST_BACKOFF;
    while (!isStopped()) {
      ImageMount current = mount;
      if (current != null) {
        if (!stillMounted(current)) {
          log.warn("{} was unmounted from outside; remounting it", entry.mountpoint());
          failure = "unmounted from outside; remounting";
          mount = null;
          closeQuietly(current);
        }
        pause(WATCH_INTERVAL);
        continue;
      }
      try {
        ImageMount mounted = mountOnce();
        synchronized (lock) {
          if (stopped) {
            closeQuietly(mounted);
            return;
          }
          mount = mounted;
        }
        failure = null;
        backoff = FIRST_BACKOFF;
        log.info("mounted {} at {}", entry.image(), entry.mountpoint());
        firstAttempt.countDown();
      } catch (Exception e) {
        if (isStopped()) {
          return;
        }
        failure = e.getMessage() == null ? e.toString() : e.getMessage();
        log.warn(
            "mounting {} at {} failed: {}; retrying in {} s",
            entry.image(),
            entry.mountpoint(),
            failure,
            backoff.toSeconds());
        firstAttempt.countDown();
        pause(backoff);
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
  }

  private ImageMount mountOnce() throws IOException {
    Path mp = entry.mountpoint();
    FuseMount.clearStale(mp); // a dead mount left by a crash answers nothing
    if (FuseMount.isMounted(mp)) {
      throw new IOException(mp + " is already mounted by another strata process");
    }
    Files.createDirectories(mp);
    MountSpec.Prefetch prefetch =
        entry.prefetch() == MountEntry.Prefetch.ALL
            ? MountSpec.Prefetch.ALL
            : MountSpec.Prefetch.NONE;
    MountSpec spec =
        node.spec(mp, entry.layers(), entry.allowOther(), FuseBinding.defaultBinding(), prefetch);
    return node.mount(ImageRef.parse(entry.image()), spec);
  }

  private static boolean stillMounted(ImageMount m) {
    try {
      return m.isMounted();
    } catch (IOException e) {
      return true; // cannot tell: do not tear down a mount that may serve
    }
  }

  private boolean isStopped() {
    synchronized (lock) {
      return stopped;
    }
  }

  /** Sleeps {@code d}, or less when stopped. */
  private void pause(Duration d) {
    long deadline = System.nanoTime() + d.toNanos();
    synchronized (lock) {
      long left;
      while (!stopped && (left = deadline - System.nanoTime()) > 0) {
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          stopped = true;
        }
      }
    }
  }

  /**
   * Stops watching and unmounts. A mount in progress gets {@link #STOP_GRACE} to finish (then it is
   * interrupted) and is unmounted once it is up.
   */
  void stop() {
    synchronized (lock) {
      stopped = true;
      lock.notifyAll();
    }
    if (thread != null) {
      try {
        if (!thread.join(STOP_GRACE)) {
          thread.interrupt();
          thread.join(STOP_GRACE);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ImageMount current = mount;
    mount = null;
    if (current != null) {
      closeQuietly(current);
    }
  }

  private void closeQuietly(ImageMount m) {
    try {
      m.close();
    } catch (RuntimeException e) {
      log.warn("unmounting {} failed: {}", entry.mountpoint(), e.getMessage());
    }
  }
}
