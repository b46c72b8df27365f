package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.strata.fs.ReadOnlyFileSystem.Attributes;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real mounts of an in-memory image through each binding, checked with NIO and real programs. */
class FuseMountTest {
  private static final String FS_NAME = "strata:test-image";
  private static MountPoints points;
  private static FakeFileSystem fake;
  private static Path expectedBig;

  @BeforeAll
  static void setUp() throws IOException {
    points = new MountPoints("strata-fuse-test-");
    fake = new FakeFileSystem();
    expectedBig = points.root().resolve("expected-big.bin");
    Files.write(expectedBig, FakeFileSystem.bigContent());
  }

  @AfterAll
  static void tearDown() throws IOException {
    points.close();
    assertThat(Files.readString(Path.of("/proc/mounts"))).doesNotContain(points.root().toString());
  }

  private static FuseMount mount(FuseBinding binding, Path mp) throws IOException {
    return FuseMount.mount(binding, fake, mp, MountOptions.defaults(FS_NAME));
  }

  private static Path in(Path mp, String path) {
    return path.equals("/") ? mp : mp.resolve(path.substring(1));
  }

  /** The /proc/mounts fields of the mount at {@code mp}: source, point, type, options. */
  private static String[] procMounts(Path mp) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      String[] f = line.split(" ");
      if (f[1].equals(mp.toString())) {
        return f;
      }
    }
    throw new AssertionError(mp + " is not in /proc/mounts");
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void mountsReadOnlyNodevNosuidUnderItsName(FuseBinding binding) throws IOException {
    Path mp = points.next("flags");
    try (FuseMount m = mount(binding, mp)) {
      assertThat(m.binding()).isEqualTo(binding);
      assertThat(m.isMounted()).isTrue();
      assertThat(FuseMount.isMounted(mp)).isTrue();
      String[] f = procMounts(mp);
      assertThat(f[0]).isEqualTo(FS_NAME);
      assertThat(f[2]).isEqualTo("fuse.strata");
      List<String> options = List.of(f[3].split(","));
      assertThat(options).contains("ro", "nosuid", "nodev", "default_permissions");
      assertThat(options).doesNotContain("allow_other", "rw");
      assertThat(Files.getFileStore(mp).isReadOnly()).isTrue();
    }
    Path other = points.next("flags-suid");
    MountOptions suid = MountOptions.defaults(FS_NAME).withHonourSetuid(true).withAllowOther(true);
    try (FuseMount m = FuseMount.mount(binding, fake, other, suid)) {
      List<String> options = List.of(procMounts(other)[3].split(","));
      assertThat(options).contains("ro", "nodev", "allow_other").doesNotContain("nosuid");
    }
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void attributesAreTheFilesystemsThroughNio(FuseBinding binding) throws IOException {
    Path mp = points.next("attrs-nio");
    try (FuseMount m = mount(binding, mp)) {
      for (String path : fake.paths()) {
        Attributes want = fake.attributes(path);
        Map<String, Object> got =
            Files.readAttributes(in(mp, path), "unix:*", LinkOption.NOFOLLOW_LINKS);
        assertThat(got.get("ino")).as("ino of %s", path).isEqualTo(want.inode());
        assertThat(got.get("mode")).as("mode of %s", path).isEqualTo(want.mode());
        assertThat(got.get("nlink")).as("nlink of %s", path).isEqualTo(want.nlink());
        assertThat(got.get("uid")).as("uid of %s", path).isEqualTo((int) want.uid());
        assertThat(got.get("gid")).as("gid of %s", path).isEqualTo((int) want.gid());
        assertThat(got.get("size")).as("size of %s", path).isEqualTo(want.size());
        assertThat(got.get("rdev")).as("rdev of %s", path).isEqualTo(want.rdev());
        assertThat(got.get("lastModifiedTime"))
            .as("mtime of %s", path)
            .isEqualTo(
                FileTime.from(
                    Instant.ofEpochSecond(FakeFileSystem.MTIME, FakeFileSystem.MTIME_NANOS)));
      }
      for (String dir : List.of("/", "/data", "/etc")) {
        try (Stream<Path> list = Files.list(in(mp, dir))) {
          assertThat(list.map(p -> p.getFileName().toString()))
              .containsExactlyInAnyOrderElementsOf(fake.children(dir));
        }
      }
      assertThat(Files.readSymbolicLink(in(mp, FakeFileSystem.LINK)))
          .isEqualTo(Path.of(FakeFileSystem.LINK_TARGET));
      assertThat(Files.readSymbolicLink(in(mp, FakeFileSystem.LONG_LINK)))
          .isEqualTo(Path.of(FakeFileSystem.LONG_LINK_TARGET));
      assertThat(Files.isSameFile(in(mp, FakeFileSystem.HARD_A), in(mp, FakeFileSystem.HARD_B)))
          .isTrue();
      assertThatThrownBy(() -> Files.readAttributes(in(mp, "/nope"), "unix:ino"))
          .isInstanceOf(NoSuchFileException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void attributesAreTheFilesystemsThroughCoreutils(FuseBinding binding) throws IOException {
    Path mp = points.next("attrs-coreutils");
    try (FuseMount m = mount(binding, mp)) {
      List<String> cmd =
          new ArrayList<>(List.of("stat", "-c", "%n|%i|%f|%h|%u|%g|%s|%t|%T|%.9Y|%F"));
      for (String path : fake.paths()) {
        cmd.add(in(mp, path).toString());
      }
      String[] lines = Cmd.run(cmd.toArray(String[]::new)).ok().out().split("\n");
      assertThat(lines).hasSize(fake.paths().size());
      for (int i = 0; i < lines.length; i++) {
        String path = fake.paths().get(i);
        Attributes a = fake.attributes(path);
        String type =
            switch (a.mode() & 0170000) {
              case FakeFileSystem.S_IFDIR -> "directory";
              case FakeFileSystem.S_IFREG -> a.size() == 0 ? "regular empty file" : "regular file";
              case FakeFileSystem.S_IFLNK -> "symbolic link";
              case FakeFileSystem.S_IFIFO -> "fifo";
              case FakeFileSystem.S_IFCHR -> "character special file";
              default -> "?";
            };
        long major = (a.rdev() >>> 8) & 0xfff;
        long minor = a.rdev() & 0xff;
        assertThat(lines[i])
            .isEqualTo(
                "%s|%d|%x|%d|%d|%d|%d|%x|%x|%d.%09d|%s"
                    .formatted(
                        in(mp, path),
                        a.inode(),
                        a.mode(),
                        a.nlink(),
                        a.uid(),
                        a.gid(),
                        a.size(),
                        major,
                        minor,
                        a.mtimeSeconds(),
                        a.mtimeNanos(),
                        type));
      }
      String ls = Cmd.run("ls", "-lain", "--time-style=+%s", in(mp, "/data").toString()).ok().out();
      assertThat(ls)
          .containsPattern("(?m)^\\s*6 drwxr-x---\\s+2\\s+1000\\s+1000\\s+4096 1700000000 \\.$")
          .containsPattern("(?m)^\\s*1 drwxr-xr-x\\s+6\\s+0\\s+0\\s+4096 1700000000 \\.\\.$")
          .containsPattern("(?m)^\\s*8 -rw-r-----\\s+2\\s+1000\\s+1000\\s+20 1700000000 hard-a$")
          .containsPattern("(?m)^\\s*8 -rw-r-----\\s+2\\s+1000\\s+1000\\s+20 1700000000 hard-b$")
          .containsPattern("(?m)^\\s*9 lrwxrwxrwx\\s+1\\s+0\\s+0\\s+7 1700000000 link -> big.bin$")
          .containsPattern("(?m)^\\s*11 prw-------\\s+1\\s+1000\\s+1000\\s+0 1700000000 fifo$")
          .contains("name with space ü");
      assertThat(Cmd.run("ls", "-ln", in(mp, "/dev").toString()).ok().out())
          .containsPattern("crw-rw-rw-\\s+1\\s+0\\s+0\\s+1,\\s+3 .* null");
      assertThat(Cmd.run("ls", "-ln", in(mp, "/bin").toString()).ok().out())
          .containsPattern("-rwsr-xr-x\\s+1\\s+0\\s+0 ");
      assertThat(Cmd.run("readlink", in(mp, FakeFileSystem.LINK).toString()).ok().out())
          .isEqualTo(FakeFileSystem.LINK_TARGET + "\n");
      assertThat(Cmd.run("readlink", in(mp, FakeFileSystem.LONG_LINK).toString()).ok().out())
          .isEqualTo(FakeFileSystem.LONG_LINK_TARGET + "\n");
      assertThat(Cmd.run("stat", in(mp, "/nope").toString()).err())
          .contains("No such file or directory");
    }
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void contentReadsBackByteForByte(FuseBinding binding) throws Exception {
    Path mp = points.next("content");
    try (FuseMount m = mount(binding, mp)) {
      Path big = in(mp, FakeFileSystem.BIG);
      assertThat(Cmd.run("cat", in(mp, FakeFileSystem.HOSTNAME).toString()).ok().out())
          .isEqualTo(FakeFileSystem.HOSTNAME_CONTENT);
      Cmd.run("cmp", expectedBig.toString(), big.toString()).ok();
      String sha =
          HexFormat.of()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(FakeFileSystem.bigContent()));
      assertThat(Cmd.run("sha256sum", big.toString()).ok().out()).startsWith(sha + " ");
      // through the symlink, and both names of the hardlink
      Cmd.run("cmp", expectedBig.toString(), in(mp, FakeFileSystem.LINK).toString()).ok();
      assertThat(Files.readString(in(mp, FakeFileSystem.HARD_B)))
          .isEqualTo(Files.readString(in(mp, FakeFileSystem.HARD_A)))
          .isEqualTo("the same file twice\n");
      assertThat(Files.readAllBytes(in(mp, FakeFileSystem.EMPTY))).isEmpty();
      assertThat(Files.readString(in(mp, FakeFileSystem.UNICODE))).isEqualTo("ü\n");
      // an EIO from the filesystem reaches the reader
      Cmd.Result broken = Cmd.run("cat", in(mp, FakeFileSystem.BROKEN).toString());
      assertThat(broken.exit()).isNotZero();
      assertThat(broken.err()).contains("Input/output error");

      // random positional reads from several threads at once
      byte[] want = FakeFileSystem.bigContent();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<?>> jobs = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          long seed = t;
          jobs.add(
              pool.submit(
                  () -> {
                    Random random = new Random(seed);
                    try (FileChannel ch = FileChannel.open(big)) {
                      for (int i = 0; i < 100; i++) {
                        int off = random.nextInt(want.length);
                        int len = 1 + random.nextInt(300_000);
                        ByteBuffer buf = ByteBuffer.allocate(len);
                        int n = 0;
                        while (buf.hasRemaining()) {
                          int r = ch.read(buf, off + n);
                          if (r < 0) {
                            break;
                          }
                          n += r;
                        }
                        assertThat(n).isEqualTo(Math.min(len, want.length - off));
                        byte[] got = new byte[n];
                        buf.flip().get(got);
                        assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(want, off, off + n));
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> job : jobs) {
          job.get(2, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void contentStaysInThePageCacheAcrossOpens(FuseBinding binding) throws IOException {
    FakeFileSystem counting = new FakeFileSystem();
    Path mp = points.next("cache");
    try (FuseMount m = FuseMount.mount(binding, counting, mp, MountOptions.defaults(FS_NAME))) {
      Path big = in(mp, FakeFileSystem.BIG);
      Cmd.run("cmp", expectedBig.toString(), big.toString()).ok();
      long served = counting.bytesServed.get();
      assertThat(served).isGreaterThanOrEqualTo(FakeFileSystem.BIG_SIZE);
      Cmd.run("cmp", expectedBig.toString(), big.toString()).ok();
      assertThat(Files.readAllBytes(big)).isEqualTo(FakeFileSystem.bigContent());
      assertThat(counting.bytesServed.get()).as("bytes served again").isEqualTo(served);
    }
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void extendedAttributes(FuseBinding binding) throws IOException {
    Path mp = points.next("xattr");
    try (FuseMount m = mount(binding, mp)) {
      Path host = in(mp, FakeFileSystem.HOSTNAME);
      UserDefinedFileAttributeView view =
          Files.getFileAttributeView(host, UserDefinedFileAttributeView.class);
      assertThat(view.list()).containsExactlyInAnyOrder("x", "empty", "big");
      ByteBuffer value = ByteBuffer.allocate(view.size("x"));
      view.read("x", value);
      assertThat(new String(value.array(), StandardCharsets.UTF_8)).isEqualTo("hello");
      assertThat(view.size("empty")).isZero();
      assertThat(view.size("big")).isEqualTo(FakeFileSystem.BIG_XATTR.length);
      assertThatThrownBy(() -> view.size("nope")).isInstanceOf(FileSystemException.class);
      assertThatThrownBy(() -> view.write("x", ByteBuffer.wrap(new byte[] {1})))
          .isInstanceOf(FileSystemException.class)
          .hasMessageContaining("Read-only file system");

      assumeThat(Cmd.installed("getfattr")).as("getfattr (Debian package attr)").isTrue();
      assertThat(Cmd.run("getfattr", "-n", "user.x", "--only-values", host.toString()).ok().out())
          .isEqualTo("hello");
      assertThat(Cmd.run("getfattr", "-d", host.toString()).ok().out())
          .contains("user.x=\"hello\"")
          .contains("user.big=\"" + "v".repeat(1000) + "\"");
      assertThat(Cmd.run("getfattr", "-n", "user.nope", host.toString()).err())
          .contains("No such attribute");
      assertThat(Cmd.run("getfattr", "-d", in(mp, FakeFileSystem.BIG).toString()).ok().out())
          .isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void statfsReportsTheFilesystem(FuseBinding binding) throws IOException {
    Path mp = points.next("statfs");
    try (FuseMount m = mount(binding, mp)) {
      var s = fake.statfs();
      assertThat(Cmd.run("stat", "-f", "-c", "%S %b %f %a %c %d %l", mp.toString()).ok().out())
          .isEqualTo(
              "%d %d 0 0 %d 0 %d\n".formatted(s.blockSize(), s.blocks(), s.files(), s.nameMax()));
      assertThat(Files.getFileStore(mp).getTotalSpace()).isEqualTo(s.blockSize() * s.blocks());
      assertThat(Files.getFileStore(mp).getUsableSpace()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void everyWriteFailsWithErofs(FuseBinding binding) throws IOException {
    Path mp = points.next("erofs");
    try (FuseMount m = mount(binding, mp)) {
      String host = in(mp, FakeFileSystem.HOSTNAME).toString();
      String data = in(mp, "/data").toString();
      List<String[]> attempts =
          List.of(
              new String[] {"touch", data + "/new"},
              new String[] {"touch", host},
              new String[] {"sh", "-c", "echo x > " + host},
              new String[] {"sh", "-c", "echo x >> " + host},
              new String[] {"sh", "-c", "echo x > " + data + "/new"},
              new String[] {"mkdir", data + "/dir"},
              new String[] {"rm", "-f", host},
              new String[] {"rmdir", in(mp, "/dev").toString()},
              new String[] {"mv", host, host + ".old"},
              new String[] {"ln", host, data + "/hard"},
              new String[] {"ln", "-s", "x", data + "/sym"},
              new String[] {"chmod", "600", host},
              new String[] {"chown", "1:1", host},
              new String[] {"truncate", "-s", "0", host},
              new String[] {"mkfifo", data + "/p"},
              new String[] {"setfattr", "-n", "user.y", "-v", "1", host});
      for (String[] attempt : attempts) {
        if (!Cmd.installed(attempt[0])) {
          continue;
        }
        Cmd.Result r = Cmd.run(attempt);
        assertThat(r.exit()).as(String.join(" ", attempt)).isNotZero();
        assertThat(r.err()).as(String.join(" ", attempt)).contains("Read-only file system");
      }
      assertThatThrownBy(() -> Files.writeString(in(mp, FakeFileSystem.HOSTNAME), "x"))
          .isInstanceOf(FileSystemException.class)
          .hasMessageContaining("Read-only file system");
      assertThatThrownBy(() -> Files.createDirectory(in(mp, "/data/d")))
          .isInstanceOf(FileSystemException.class)
          .hasMessageContaining("Read-only file system");
      assertThat(Files.readString(in(mp, FakeFileSystem.HOSTNAME)))
          .isEqualTo(FakeFileSystem.HOSTNAME_CONTENT);
    }
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void closeUnmountsCleanlyOnce(FuseBinding binding) throws IOException {
    Path mp = points.next("close");
    Object emptyDevice = Files.getAttribute(mp, "unix:dev");
    FuseMount m = mount(binding, mp);
    assertThat(Files.getAttribute(mp, "unix:dev")).isNotEqualTo(emptyDevice);
    // a file was open and closed again: nothing holds the mount
    assertThat(Files.readString(in(mp, FakeFileSystem.HOSTNAME)))
        .isEqualTo(FakeFileSystem.HOSTNAME_CONTENT);
    m.close();
    assertThat(m.isMounted()).isFalse();
    assertThat(MountTable.at(mp)).isEmpty();
    assertThat(Files.getAttribute(mp, "unix:dev")).isEqualTo(emptyDevice);
    try (Stream<Path> left = Files.list(mp)) {
      assertThat(left).isEmpty();
    }
    m.close(); // idempotent

    // unmounted from outside (strata umount, fusermount -u): close only ends the loop
    FuseMount again = mount(binding, mp);
    FuseMount.unmount(mp);
    assertThat(FuseMount.isMounted(mp)).isFalse();
    again.close();
    assertThat(MountTable.at(mp)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void busyMountIsDetachedLazilyOnClose(FuseBinding binding) throws IOException {
    Path mp = points.next("busy");
    FuseMount m = mount(binding, mp);
    try (FileChannel open = FileChannel.open(in(mp, FakeFileSystem.BIG))) {
      assertThatThrownBy(() -> FuseMount.unmount(mp))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("busy");
      long start = System.nanoTime();
      m.close();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      assertThat(MountTable.at(mp)).isEmpty();
      try (Stream<Path> left = Files.list(mp)) {
        assertThat(left).isEmpty();
      }
      // without fusectl the open file is still served (with it, the connection is aborted)
      if (isEmptyDir(Path.of("/sys/fs/fuse/connections"))) {
        ByteBuffer head = ByteBuffer.allocate(4096);
        assertThat(open.read(head, 0)).isEqualTo(4096);
        assertThat(head.array())
            .isEqualTo(java.util.Arrays.copyOf(FakeFileSystem.bigContent(), 4096));
      }
    }
  }

  private static boolean isEmptyDir(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return true;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void mountRefusesUnusableMountpoints(FuseBinding binding) throws IOException {
    Path dir = points.next("refuse");
    assertThatThrownBy(() -> mount(binding, dir.resolve("missing")))
        .isInstanceOf(NoSuchFileException.class);
    Path file = Files.writeString(dir.resolve("file"), "x");
    assertThatThrownBy(() -> mount(binding, file)).isInstanceOf(NotDirectoryException.class);
    assertThatThrownBy(() -> mount(binding, dir))
        .isInstanceOf(java.nio.file.DirectoryNotEmptyException.class);
    Path empty = points.next("bad-root");
    FakeFileSystem fileRoot =
        new FakeFileSystem() {
          @Override
          public Attributes getattr(String path) throws dev.strata.fs.FsException {
            return super.getattr(FakeFileSystem.HOSTNAME);
          }
        };
    assertThatThrownBy(() -> FuseMount.mount(binding, fileRoot, empty, MountOptions.defaults("x")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("root is not a directory");
    assertThat(MountTable.at(empty)).isEmpty();
    Path mp = points.next("twice");
    try (FuseMount m = mount(binding, mp)) {
      assertThatThrownBy(() -> mount(binding, mp))
          .isInstanceOf(FileSystemException.class)
          .hasMessageContaining("already a mount point");
      assertThat(Files.readString(in(mp, FakeFileSystem.HOSTNAME)))
          .isEqualTo(FakeFileSystem.HOSTNAME_CONTENT);
    }
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void clearStaleDetachesTheMountOfAKilledProcess(FuseBinding binding) throws Exception {
    Path mp = points.next("stale");
    Process child = startMountingChild(binding, mp);
    try {
      assertThat(FuseMount.isMounted(mp)).isTrue();
      assertThat(Files.readString(in(mp, FakeFileSystem.HOSTNAME)))
          .isEqualTo(FakeFileSystem.HOSTNAME_CONTENT);
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no unmount
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

      assertThat(FuseMount.isMounted(mp)).isTrue();
      assertThatThrownBy(() -> Files.getFileStore(mp).getTotalSpace())
          .isInstanceOf(FileSystemException.class)
          .hasMessageContaining(FuseMount.ENOTCONN_REASON);
      assertThat(Cmd.run("ls", mp.toString()).err()).contains(FuseMount.ENOTCONN_REASON);

      assertThat(FuseMount.clearStale(mp)).isTrue();
      assertThat(MountTable.at(mp)).isEmpty();
      assertThat(FuseMount.clearStale(mp)).isFalse();

      try (FuseMount again = mount(binding, mp)) {
        assertThat(Files.readString(in(mp, FakeFileSystem.HOSTNAME)))
            .isEqualTo(FakeFileSystem.HOSTNAME_CONTENT);
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @EnumSource(FuseBinding.class)
  void aTerminatedProcessLeavesNoMountBehind(FuseBinding binding) throws Exception {
    Path mp = points.next("sigterm");
    Process child = startMountingChild(binding, mp);
    try {
      assertThat(FuseMount.isMounted(mp)).isTrue();
      child.destroy(); // SIGTERM: the JVM runs its shutdown hooks
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(MountTable.at(mp)).isEmpty();
      try (Stream<Path> left = Files.list(mp)) {
        assertThat(left).isEmpty();
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void clearStaleLeavesLiveMountsAndPlainDirectoriesAlone() throws IOException {
    Path mp = points.next("live");
    assertThat(FuseMount.clearStale(mp)).isFalse();
    assertThat(FuseMount.clearStale(mp.resolve("missing/deeper"))).isFalse();
    assertThat(FuseMount.isMounted(mp.resolve("missing/deeper"))).isFalse();
    assertThat(FuseMount.isMounted(mp)).isFalse();
    try (FuseMount m = mount(FuseBinding.defaultBinding(), mp)) {
      assertThat(FuseMount.clearStale(mp)).isFalse();
      assertThat(Files.readString(in(mp, FakeFileSystem.HOSTNAME)))
          .isEqualTo(FakeFileSystem.HOSTNAME_CONTENT);
    }
  }

  /** A child JVM that mounts the fake image and then waits to be killed. */
  static Process startMountingChild(FuseBinding binding, Path mp) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-cp",
                System.getProperty("java.class.path"),
                MountAndWait.class.getName(),
                binding.name(),
                mp.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    StringBuilder said = new StringBuilder();
    String line;
    while ((line = out.readLine()) != null) {
      said.append(line).append('\n');
      if (line.equals(MountAndWait.READY)) {
        // keep draining its output so it never blocks on a full pipe
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    child.getInputStream().transferTo(OutputStream.nullOutputStream());
                  } catch (IOException e) {
                    // the child is gone
                  }
                });
        return child;
      }
      if (System.nanoTime() > deadline) {
        break;
      }
    }
    child.destroyForcibly();
    throw new AssertionError("the mounting child did not come up:\n" + said);
  }
}
