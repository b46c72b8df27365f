package dev.strata.fuse;

import dev.strata.fs.FsException;
import dev.strata.fs.ReadOnlyFileSystem;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ReadOnlyFileSystem} mounted with FUSE, whichever the binding. {@link #mount} returns
 * once the kernel answers at the mount point; {@link #close} unmounts and waits for the binding's
 * loop to end.
 *
 * <p>Every mount is {@code ro}, {@code nodev}, {@code default_permissions} (the kernel checks the
 * modes the filesystem reports), {@code use_ino} (its inode numbers are what {@code stat} shows),
 * with long attribute, lookup and negative-lookup timeouts and {@code kernel_cache} (file contents
 * stay in the page cache across opens): an image never changes under a mount. {@code nosuid} unless
 * {@link MountOptions#honourSetuid()}; {@code allow_other} only when asked.
 */
public final class FuseMount implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FuseMount.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
  private static final long POLL_MILLIS = 5;

  /** Readahead of a mount, in KiB: libfuse 3's largest read request (256 pages). */
  static final int READ_AHEAD_KB = 1024;

  /** The kernel's message for ENOTCONN: what a mount whose server died answers. */
  static final String ENOTCONN_REASON = "Transport endpoint is not connected";

  private static final String ECONNABORTED_REASON = "Software caused connection abort";

  /** Where libfuse3 lives when only the runtime package is installed (no libfuse3.so symlink). */
  private static final List<String> LIBRARY_DIRS =
      List.of("/usr/lib/%s", "/lib/%s", "/usr/lib64", "/lib64", "/usr/lib", "/usr/local/lib");

  private final FuseBinding binding;
  private final Path mountpoint;
  private final MountTable.Entry entry;
  private final Session session;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Unmounts at JVM exit (SIGTERM, System.exit) a mount nobody closed: no stale mount behind. */
  private final Thread shutdownHook;

  private FuseMount(FuseBinding binding, Path mountpoint, MountTable.Entry entry, Session session) {
    this.binding = binding;
    this.mountpoint = mountpoint;
    this.entry = entry;
    this.session = session;
    this.shutdownHook =
        Thread.ofPlatform().name("strata-fuse-unmount " + mountpoint).unstarted(this::close);
    try {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      LOG.warn("mounted {} while the JVM shuts down: nothing will unmount it", mountpoint);
    }
  }

  /**
   * Mounts {@code fs} read-only at {@code mountpoint} (an existing, empty directory on which
   * nothing is mounted) and returns once the mount answers.
   *
   * @throws IOException the mount point is unusable, the binding's library is missing, libfuse
   *     refused, or the mount did not answer within {@link MountOptions#mountTimeout()}; nothing is
   *     left mounted then
   */
  public static FuseMount mount(
      FuseBinding binding, ReadOnlyFileSystem fs, Path mountpoint, MountOptions options)
      throws IOException {
    Objects.requireNonNull(binding, "binding");
    Objects.requireNonNull(fs, "fs");
    Objects.requireNonNull(options, "options");
    Path mp = checkMountpoint(mountpoint);
    try {
      if (!FsCalls.isDirectory(fs.getattr("/"))) {
        throw new IOException("the filesystem's root is not a directory");
      }
    } catch (FsException e) {
      throw new IOException("the filesystem's root cannot be read (errno " + e.errno() + ")", e);
    }
    Object deviceBefore = Files.getAttribute(mp, "unix:dev");
    List<String> fuseOptions = fuseOptions(binding, options);
    LOG.debug("mounting {} at {} with {} -o {}", options.fsName(), mp, binding, fuseOptions);
    Session session =
        switch (binding) {
          case JNR -> JnrSession.start(fs, mp, fuseOptions);
          case JFUSE -> JfuseSession.start(fs, mp, fuseOptions);
        };
    try {
      MountTable.Entry entry =
          awaitMounted(mp, options.fsName(), deviceBefore, session, options.mountTimeout());
      tuneReadahead(entry);
      LOG.info("mounted {} at {} ({})", options.fsName(), mp, binding);
      return new FuseMount(binding, mp, entry, session);
    } catch (IOException | RuntimeException e) {
      cleanUpFailedMount(mp, options.fsName(), session);
      throw e;
    }
  }

  /**
   * The {@code -o} options for {@code binding}: {@code ro,nodev,nosuid,default_permissions,...}.
   */
  static List<String> fuseOptions(FuseBinding binding, MountOptions options) {
    List<String> o = new ArrayList<>();
    o.add("ro");
    o.add("nodev");
    // root mounts through libfuse default to nosuid; honouring setuid takes an explicit "suid"
    o.add(options.honourSetuid() ? "suid" : "nosuid");
    o.add("default_permissions");
    if (options.allowOther()) {
      o.add("allow_other");
    }
    o.add("fsname=" + options.fsName());
    o.add("subtype=" + MountOptions.SUBTYPE);
    if (binding == FuseBinding.JNR) {
      o.add("use_ino"); // libfuse 3 takes it in fuse_config at init instead: see JfuseAdapter
    }
    // libfuse sets keep_cache on every open with this: the page cache survives close and reopen
    o.add("kernel_cache");
    o.add("attr_timeout=" + seconds(options.cacheTimeout()));
    o.add("entry_timeout=" + seconds(options.cacheTimeout()));
    o.add("negative_timeout=" + seconds(options.negativeTimeout()));
    return List.copyOf(o);
  }

  private static String seconds(Duration d) {
    return Long.toString(d.toSeconds());
  }

  public FuseBinding binding() {
    return binding;
  }

  public Path mountpoint() {
    return mountpoint;
  }

  /** Whether this mount is still in the kernel's mount table. */
  public boolean isMounted() throws IOException {
    return isOurs(MountTable.at(mountpoint));
  }

  /**
   * Whether a strata FUSE mount ({@code fuse.strata}) is at {@code mountpoint}, live or dead, of
   * this process or another.
   */
  public static boolean isMounted(Path mountpoint) throws IOException {
    Optional<MountTable.Entry> top = MountTable.top(resolveWithoutEntering(mountpoint));
    return top.isPresent() && top.get().fsType().equals("fuse." + MountOptions.SUBTYPE);
  }

  /**
   * Unmounts the strata mount at {@code mountpoint}, served by this process or another (whose
   * request loop then ends). Fails, leaving it mounted, while files on it are open (EBUSY).
   */
  public static void unmount(Path mountpoint) throws IOException {
    Path mp = resolveWithoutEntering(mountpoint);
    if (!isMounted(mp)) {
      throw new IOException("no strata mount at " + mp);
    }
    Unmounter.unmount(mp, false);
  }

  private boolean isOurs(List<MountTable.Entry> entries) {
    for (MountTable.Entry e : entries) {
      if (e.id() == entry.id()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Unmounts and waits for the binding's request loop to end. Calling this again does nothing.
   *
   * <p>Unmounting while files on the mount are open (or a process has its working directory there)
   * fails with EBUSY; the mount is then detached lazily ({@code fusermount -u -z}): it leaves the
   * namespace at once, and the FUSE connection is aborted through fusectl where {@code
   * /sys/fs/fuse/connections} is mounted. Where it is not, the loop keeps answering the files that
   * are still open until they are closed, and the binding's native resources are left to the end of
   * the process rather than freed under a running loop.
   *
   * @throws UncheckedIOException the mount could not be detached (it is left running), or the loop
   *     did not end after unmounting
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway and finds this mount closed
      }
    }
    boolean stillServingOpenFiles = false;
    try {
      if (isMounted()) {
        try {
          Unmounter.unmount(mountpoint, false);
        } catch (IOException busy) {
          LOG.warn(
              "{} did not unmount cleanly, detaching it lazily: {}", mountpoint, busy.getMessage());
          Unmounter.unmount(mountpoint, true);
          stillServingOpenFiles = !abortConnection(entry);
        }
      }
    } catch (IOException e) {
      session.abandon();
      throw new UncheckedIOException("cannot unmount " + mountpoint, e);
    }
    if (stillServingOpenFiles) {
      LOG.warn(
          "{} is detached; its FUSE loop serves the files still open on it until they are closed",
          mountpoint);
      session.abandon();
      return;
    }
    try {
      session.stop(STOP_TIMEOUT);
    } catch (IOException e) {
      throw new UncheckedIOException("unmounted " + mountpoint + " but its loop did not end", e);
    }
    LOG.info("unmounted {}", mountpoint);
  }

  /**
   * Clears a dead FUSE mount left at {@code mountpoint}, as a server that crashed or was killed
   * leaves it: the path answers ENOTCONN ("Transport endpoint is not connected"), or its server
   * does not answer a statfs within 10 s (stopped, deadlocked). Such a mount is detached lazily
   * ({@code fusermount3 -uz}, {@code fusermount -uz} or {@code umount -l}), and so is every dead
   * mount stacked under it. A FUSE mount that answers is someone's live mount and is left alone, as
   * is a path with no mount.
   *
   * @return whether a dead mount was cleared
   */
  public static boolean clearStale(Path mountpoint) throws IOException {
    Path mp = resolveWithoutEntering(mountpoint);
    boolean cleared = false;
    for (int round = 0; round < 16; round++) {
      Optional<MountTable.Entry> top = MountTable.top(mp);
      Probe probe = probe(mp);
      boolean fuseOnTop = top.isPresent() && top.get().isFuse();
      if (probe == Probe.ANSWERS || (!fuseOnTop && probe != Probe.NOT_CONNECTED)) {
        return cleared;
      }
      LOG.warn(
          "clearing the dead FUSE mount at {} ({}{})",
          mp,
          probe == Probe.NOT_CONNECTED ? ENOTCONN_REASON : "not answering",
          top.map(e -> ", " + e.fsType() + " " + e.source()).orElse(""));
      Unmounter.unmount(mp, true);
      cleared = true;
    }
    throw new IOException("cannot clear the mounts stacked at " + mp);
  }

  private enum Probe {
    ANSWERS,
    NOT_CONNECTED,
    HUNG
  }

  /**
   * Asks the mount something its server must answer itself: statfs is never served from a cache (a
   * stat of the root can be, for as long as attr_timeout).
   */
  private static Probe probe(Path mp) {
    CompletableFuture<Probe> result = new CompletableFuture<>();
    Thread.ofPlatform()
        .name("strata-fuse-probe")
        .daemon(true)
        .start(
            () -> {
              try {
                Files.readAttributes(mp, "unix:dev");
                Files.getFileStore(mp).getTotalSpace();
                result.complete(Probe.ANSWERS);
              } catch (IOException e) {
                result.complete(isNotConnected(e) ? Probe.NOT_CONNECTED : Probe.ANSWERS);
              } catch (RuntimeException e) {
                result.complete(Probe.ANSWERS);
              }
            });
    try {
      return result.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return Probe.HUNG; // the probe thread stays blocked in the kernel; it is a daemon
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Probe.ANSWERS;
    } catch (ExecutionException e) {
      return Probe.ANSWERS;
    }
  }

  static boolean isNotConnected(IOException e) {
    String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
    return reason != null
        && (reason.contains(ENOTCONN_REASON) || reason.contains(ECONNABORTED_REASON));
  }

  /** The absolute mount point with its parent's symlinks resolved, without stat-ing the point. */
  private static Path resolveWithoutEntering(Path mountpoint) throws IOException {
    Path abs = mountpoint.toAbsolutePath().normalize();
    Path parent = abs.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return abs; // nothing can be mounted there; let the caller find out
    }
    return parent.toRealPath().resolve(abs.getFileName());
  }

  private static Path checkMountpoint(Path mountpoint) throws IOException {
    Objects.requireNonNull(mountpoint, "mountpoint");
    Path mp = resolveWithoutEntering(mountpoint);
    Optional<MountTable.Entry> existing = MountTable.top(mp);
    if (existing.isPresent()) {
      throw new FileSystemException(
          mp.toString(),
          null,
          "already a mount point ("
              + existing.get().fsType()
              + " "
              + existing.get().source()
              + "); unmount it, or FuseMount.clearStale if its server died");
    }
    if (!Files.exists(mp)) {
      throw new NoSuchFileException(mp.toString(), null, "the mount point does not exist");
    }
    if (!Files.isDirectory(mp)) {
      throw new NotDirectoryException(mp.toString());
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(mp)) {
      if (entries.iterator().hasNext()) {
        throw new DirectoryNotEmptyException(mp.toString());
      }
    }
    return mp.toRealPath();
  }

  private static MountTable.Entry awaitMounted(
      Path mp, String fsName, Object deviceBefore, Session session, Duration timeout)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<Throwable> failure = session.failure();
      if (failure.isPresent()) {
        throw new IOException(
            "mounting at " + mp + " failed: " + describe(failure.get()), failure.get());
      }
      if (session.ended()) {
        throw new IOException("mounting at " + mp + " failed: the FUSE loop ended at once");
      }
      Optional<MountTable.Entry> top = MountTable.top(mp);
      if (top.isPresent() && top.get().isFuse() && top.get().source().equals(fsName)) {
        try {
          Object device = Files.getAttribute(mp, "unix:dev");
          if (!device.equals(deviceBefore) && session.ready()) {
            return top.get();
          }
        } catch (IOException notYet) {
          // the kernel knows the mount; its server is not answering yet
        }
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IOException(
            "the FUSE mount at "
                + mp
                + " did not answer within "
                + timeout
                + (top.isPresent() ? " (it is in the mount table)" : " (it never appeared)"));
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while mounting at " + mp);
      }
    }
  }

  /**
   * Raises the mount's readahead from the kernel's 128 KiB to {@link #READ_AHEAD_KB}, so that a
   * sequential read reaches libfuse 3 in requests of up to 1 MiB (its {@code max_pages}) instead of
   * 128 KiB: measured ~1.4x the cold throughput through jfuse. Needs root (it is a sysfs file of
   * the mount's backing device); skipped quietly otherwise.
   */
  private static void tuneReadahead(MountTable.Entry entry) {
    Path readAhead = Path.of("/sys/class/bdi", entry.device(), "read_ahead_kb");
    try {
      if (Files.isWritable(readAhead)) {
        Files.writeString(readAhead, Integer.toString(READ_AHEAD_KB), StandardCharsets.US_ASCII);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot raise the readahead of {}: {}", entry.mountPoint(), e.getMessage());
    }
  }

  /** The distinct messages along a cause chain: jnr-fuse wraps libfuse's exit code twice. */
  private static String describe(Throwable t) {
    List<String> parts = new ArrayList<>();
    for (Throwable c = t; c != null && parts.size() < 5; c = c.getCause()) {
      String m = c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
      if (parts.stream().noneMatch(p -> p.contains(m))) {
        parts.add(m);
      }
    }
    return String.join(": ", parts) + " (libfuse reports the reason on standard error)";
  }

  /** After a failed mount: detach whatever of it reached the kernel, end the loop. */
  private static void cleanUpFailedMount(Path mp, String fsName, Session session) {
    try {
      Optional<MountTable.Entry> top = MountTable.top(mp);
      if (top.isPresent() && top.get().isFuse() && top.get().source().equals(fsName)) {
        Unmounter.unmount(mp, true);
      }
    } catch (IOException e) {
      LOG.warn("cannot detach the failed mount at {}: {}", mp, e.getMessage());
    }
    try {
      session.stop(STOP_TIMEOUT);
    } catch (IOException | RuntimeException e) {
      LOG.warn("the FUSE loop of the failed mount at {} did not end: {}", mp, e.getMessage());
    }
  }

  /**
   * Aborts the FUSE connection (fusectl's {@code abort}), so that a server whose mount was detached
   * lazily while busy stops now: open files on it then fail with ENOTCONN. False where fusectl is
   * not mounted.
   */
  private static boolean abortConnection(MountTable.Entry entry) {
    Path abort = Path.of("/sys/fs/fuse/connections", Long.toString(entry.connection()), "abort");
    try {
      if (Files.exists(abort)) {
        Files.writeString(abort, "1", StandardCharsets.US_ASCII);
        return true;
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot abort FUSE connection {}: {}", entry.connection(), e.getMessage());
    }
    return false;
  }

  /** Where jfuse finds libfuse3: -Dstrata.libfuse3=PATH, else the usual library directories. */
  static Optional<Path> libfuse3() {
    String configured = System.getProperty("strata.libfuse3");
    if (configured != null && !configured.isBlank()) {
      return Optional.of(Path.of(configured));
    }
    String arch = System.getProperty("os.arch", "");
    String triplet =
        switch (arch) {
          case "amd64", "x86_64" -> "x86_64-linux-gnu";
          case "aarch64" -> "aarch64-linux-gnu";
          default -> arch + "-linux-gnu";
        };
    for (String dir : LIBRARY_DIRS) {
      Path candidate = Path.of(dir.formatted(triplet), "libfuse3.so.3");
      if (Files.isRegularFile(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** One binding's running request loop. */
  private interface Session {
    /** Why mounting failed, once it has. */
    Optional<Throwable> failure();

    /** Whether the loop has ended. */
    boolean ended();

    /** Whether the binding considers itself mounted. */
    boolean ready();

    /** Waits for the loop to end after the kernel mount is gone, and frees the binding. */
    void stop(Duration timeout) throws IOException;

    /** Lets a loop that cannot be stopped now run on; frees nothing it might still use. */
    void abandon();
  }

  /** jnr-fuse runs fuse_main (libfuse 2, multi-threaded, foreground) on a thread of ours. */
  private static final class JnrSession implements Session {
    private final JnrFuseAdapter adapter;
    private final Thread thread;
    private volatile Throwable failure;
    private volatile boolean ended;

    private JnrSession(JnrFuseAdapter adapter, Path mp, String[] args) {
      this.adapter = adapter;
      this.thread =
          Thread.ofPlatform()
              .name("strata-fuse-jnr " + mp)
              .daemon(true)
              .unstarted(
                  () -> {
                    try {
                      adapter.mount(mp, true, false, args);
                    } catch (Throwable t) {
                      failure = t;
                    } finally {
                      ended = true;
                    }
                  });
    }

    static JnrSession start(ReadOnlyFileSystem fs, Path mp, List<String> options)
        throws IOException {
      JnrFuseAdapter adapter;
      try {
        adapter = new JnrFuseAdapter(fs);
      } catch (LinkageError e) {
        throw new IOException(
            "jnr-fuse cannot load libfuse 2 (libfuse.so.2; Debian package libfuse2): " + e, e);
      }
      JnrSession s = new JnrSession(adapter, mp, new String[] {"-o", String.join(",", options)});
      s.thread.start();
      return s;
    }

    @Override
    public Optional<Throwable> failure() {
      return Optional.ofNullable(failure);
    }

    @Override
    public boolean ended() {
      return ended;
    }

    @Override
    public boolean ready() {
      return true;
    }

    @Override
    public void stop(Duration timeout) throws IOException {
      try {
        thread.join(timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the jnr-fuse loop");
      } finally {
        adapter.markUnmounted();
      }
      if (thread.isAlive()) {
        throw new IOException("the jnr-fuse loop did not end within " + timeout);
      }
    }

    @Override
    public void abandon() {
      adapter.markUnmounted(); // the daemon thread ends when the connection does
    }
  }

  /** jfuse mounts and runs fuse_loop_mt (libfuse 3) on its own thread. */
  private static final class JfuseSession implements Session {
    private final org.cryptomator.jfuse.api.Fuse fuse;
    private final CompletableFuture<Void> mounted = new CompletableFuture<>();

    private JfuseSession(org.cryptomator.jfuse.api.Fuse fuse) {
      this.fuse = fuse;
    }

    static JfuseSession start(ReadOnlyFileSystem fs, Path mp, List<String> options)
        throws IOException {
      org.cryptomator.jfuse.api.Fuse fuse;
      Optional<Path> library = libfuse3();
      try {
        var builder = org.cryptomator.jfuse.api.Fuse.builder();
        library.ifPresent(p -> builder.setLibraryPath(p.toString()));
        fuse = builder.build(new JfuseAdapter(fs, builder.errno()));
      } catch (LinkageError | UnsupportedOperationException e) {
        throw new IOException(
            "jfuse cannot load libfuse 3 ("
                + library.map(Path::toString).orElse("libfuse3.so.3 not found")
                + "; Debian package libfuse3-3, or -Dstrata.libfuse3=PATH): "
                + e,
            e);
      }
      JfuseSession s = new JfuseSession(fuse);
      String[] args = {"-o", String.join(",", options)};
      // Fuse.mount blocks until the kernel asks for a probe path; keep the caller's own deadline
      Thread.ofPlatform()
          .name("strata-fuse-jfuse-mount " + mp)
          .daemon(true)
          .start(
              () -> {
                try {
                  fuse.mount(MountOptions.SUBTYPE, mp, args);
                  s.mounted.complete(null);
                } catch (Throwable t) {
                  s.mounted.completeExceptionally(t);
                }
              });
      return s;
    }

    @Override
    public Optional<Throwable> failure() {
      if (!mounted.isCompletedExceptionally()) {
        return Optional.empty();
      }
      try {
        mounted.join();
        return Optional.empty();
      } catch (RuntimeException e) {
        return Optional.of(e.getCause() != null ? e.getCause() : e);
      }
    }

    @Override
    public boolean ended() {
      return false; // a loop that ends early makes Fuse.mount fail: see failure()
    }

    @Override
    public boolean ready() {
      return mounted.isDone() && !mounted.isCompletedExceptionally();
    }

    @Override
    public void stop(Duration timeout) throws IOException {
      try {
        // Fuse.close and Fuse.mount are synchronized: let a pending mount call finish first
        mounted.exceptionally(t -> null).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        fuse.close(); // fuse_exit, fuse_unmount (a no-op now), waits for the loop, fuse_destroy
      } catch (TimeoutException e) {
        throw new IOException("the jfuse loop did not end within " + timeout, e);
      } catch (ExecutionException e) {
        throw new IOException("the jfuse loop failed", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the jfuse loop");
      }
    }

    @Override
    public void abandon() {
      // Fuse.close frees the upcall stubs and fuse_operations even if the loop has not ended
      // (after waiting 10 s): never call it while the loop may still run
    }
  }
}
