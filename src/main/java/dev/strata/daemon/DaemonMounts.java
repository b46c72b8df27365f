package dev.strata.daemon;

import dev.strata.admin.Health;
import dev.strata.config.MountEntry;
import dev.strata.mount.Node;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Every mount the daemon keeps, by mount point: those of the configuration file and those added
 * through {@code strata mount} (remembered in {@code <state>/mounts.json}). Each is supervised on
 * its own ({@link SupervisedMount}): one failing does not hold up the others.
 */
final class DaemonMounts implements AutoCloseable {
  /** How long {@code /healthz} waits for a mount to answer a statfs. */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  /** How long {@code POST /mounts} waits for a mount to come up (indexing a cold image). */
  static final Duration ADD_TIMEOUT = Duration.ofMinutes(30);

  private final Node node;
  private final RememberedMounts remembered;
  private final Map<Path, SupervisedMount> mounts = new LinkedHashMap<>(); // guarded by this
  private boolean closed; // guarded by this: no mount is added or forgotten once stopping

  DaemonMounts(Node node, RememberedMounts remembered) {
    this.node = node;
    this.remembered = remembered;
  }

  /**
   * Takes the configured mounts and the remembered ones, not started yet: {@code /healthz} reports
   * them (as being mounted) from the moment the admin server answers. A remembered mount whose
   * mount point the configuration now uses is dropped (the file wins).
   */
  synchronized void register(List<MountEntry> configured, List<MountEntry> rememberedEntries) {
    for (MountEntry e : configured) {
      mounts.put(e.mountpoint(), new SupervisedMount(e, SupervisedMount.Source.CONFIG, node));
    }
    for (MountEntry e : rememberedEntries) {
      mounts.putIfAbsent(e.mountpoint(), new SupervisedMount(e, SupervisedMount.Source.CLI, node));
    }
  }

  /** Starts supervising every registered mount, concurrently. */
  synchronized void startAll() {
    mounts.values().forEach(SupervisedMount::start);
  }

  /** Waits until every mount has been tried once; returns how many are mounted. */
  int awaitFirstAttempts(Duration timeout) throws InterruptedException {
    int up = 0;
    for (SupervisedMount m : snapshot()) {
      if (m.awaitFirstAttempt(timeout)) {
        up++;
      }
    }
    return up;
  }

  /**
   * Mounts {@code entry} and remembers it, answering once it is mounted or its first attempt failed
   * (then it is neither kept nor remembered).
   */
  Outcome add(MountEntry entry) throws IOException, InterruptedException {
    SupervisedMount m;
    synchronized (this) {
      if (closed) {
        return new Outcome(503, "the daemon is stopping");
      }
      SupervisedMount existing = mounts.get(entry.mountpoint());
      if (existing != null) {
        return existing.entry().equals(entry)
            ? new Outcome(
                200, existing.entry().image() + " is already mounted at " + entry.mountpoint())
            : new Outcome(
                409,
                entry.mountpoint()
                    + " is taken by "
                    + existing.entry().image()
                    + " (strata umount "
                    + entry.mountpoint()
                    + " first)");
      }
      m = new SupervisedMount(entry, SupervisedMount.Source.CLI, node);
      mounts.put(entry.mountpoint(), m);
      m.start();
    }
    if (m.awaitFirstAttempt(ADD_TIMEOUT)) {
      saveRemembered();
      return new Outcome(201, "mounted " + entry.image() + " at " + entry.mountpoint());
    }
    forget(m);
    m.stop();
    return new Outcome(
        502,
        "mounting "
            + entry.image()
            + " at "
            + entry.mountpoint()
            + " failed: "
            + m.failure().orElse("it did not come up within " + ADD_TIMEOUT.toMinutes() + " min"));
  }

  /** Unmounts {@code mountpoint} and forgets it (a configured mount comes back at restart). */
  Outcome remove(Path mountpoint) throws IOException {
    SupervisedMount m;
    synchronized (this) {
      if (closed) {
        return new Outcome(503, "the daemon is stopping");
      }
      m = mounts.remove(mountpoint);
    }
    if (m == null) {
      return new Outcome(404, "the daemon keeps no mount at " + mountpoint);
    }
    m.stop();
    if (m.source() == SupervisedMount.Source.CLI) {
      saveRemembered();
      return new Outcome(200, "unmounted " + mountpoint);
    }
    return new Outcome(
        200,
        "unmounted "
            + mountpoint
            + " (it is in the configuration file: the daemon mounts it again when it restarts)");
  }

  /** What {@code /healthz} reports: every kept mount must answer. */
  Health health() {
    List<SupervisedMount> all = snapshot();
    List<String> problems = new ArrayList<>();
    try (ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Optional<String>>> answers = new ArrayList<>();
      for (SupervisedMount m : all) {
        answers.add(probes.submit(() -> m.problem(PROBE_TIMEOUT)));
      }
      for (int i = 0; i < all.size(); i++) {
        Optional<String> problem;
        try {
          problem = answers.get(i).get();
        } catch (Exception e) {
          problem = Optional.of("cannot be checked: " + e);
        }
        SupervisedMount m = all.get(i);
        problem.ifPresent(
            p -> problems.add("mount " + m.mountpoint() + " (" + m.entry().image() + ") " + p));
      }
    }
    return problems.isEmpty() ? Health.healthy() : Health.unhealthy(problems);
  }

  /** {@code GET /mounts}: every kept mount with its source and state. */
  List<MountJson> list() {
    return snapshot().stream()
        .map(m -> MountJson.of(m.entry()).with(m.source().text(), m.state()))
        .toList();
  }

  /** Unmounts everything, concurrently. */
  @Override
  public void close() {
    List<SupervisedMount> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(mounts.values());
      mounts.clear();
    }
    try (ExecutorService stopping = Executors.newVirtualThreadPerTaskExecutor()) {
      for (SupervisedMount m : all) {
        stopping.execute(m::stop); // stop logs its own failures; close waits for all
      }
    }
  }

  private synchronized List<SupervisedMount> snapshot() {
    return new ArrayList<>(mounts.values());
  }

  private synchronized void forget(SupervisedMount m) {
    mounts.remove(m.mountpoint(), m);
  }

  private void saveRemembered() throws IOException {
    List<MountEntry> cli;
    synchronized (this) {
      if (closed) {
        return; // stopping: what is remembered stays as it was, for the next start
      }
      cli =
          mounts.values().stream()
              .filter(m -> m.source() == SupervisedMount.Source.CLI)
              .map(SupervisedMount::entry)
              .toList();
    }
    remembered.save(cli);
  }

  /** An answer to a control request: an HTTP status and one line of text. */
  record Outcome(int status, String message) {}
}
