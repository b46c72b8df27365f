package dev.strata.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.fs.Errno;
import dev.strata.fs.FsException;
import dev.strata.fs.ReadOnlyFileSystem;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import org.cryptomator.jfuse.api.Fuse;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.struct.FileStat;

/** The buffer protocols of both adapters, called directly: no mount. */
class AdaptersTest {
  private static final FakeFileSystem FS = new FakeFileSystem();
  private static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getSystemRuntime();

  private final JfuseAdapter viaJfuse = new JfuseAdapter(FS, Fuse.builder().errno());
  private final JnrFuseAdapter viaJnr = new JnrFuseAdapter(FS);

  private static String cString(byte[] b) {
    int n = 0;
    while (n < b.length && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(Pointer p, int n) {
    byte[] b = new byte[n];
    p.get(0, b, 0, n);
    return b;
  }

  @Test
  void readlinkIsNulTerminatedAndTruncatedToTheBuffer() {
    ByteBuffer whole = ByteBuffer.allocate(64);
    assertThat(viaJfuse.readlink(FakeFileSystem.LINK, whole, 64)).isZero();
    assertThat(cString(whole.array())).isEqualTo("big.bin");
    ByteBuffer small = ByteBuffer.allocate(4);
    assertThat(viaJfuse.readlink(FakeFileSystem.LINK, small, 4)).isZero();
    assertThat(small.array()).containsExactly('b', 'i', 'g', 0);
    assertThat(viaJfuse.readlink(FakeFileSystem.HOSTNAME, whole, 64)).isEqualTo(-Errno.EINVAL);

    Pointer p = Memory.allocateDirect(RUNTIME, 4);
    assertThat(viaJnr.readlink(FakeFileSystem.LINK, p, 4)).isZero();
    assertThat(bytes(p, 4)).containsExactly('b', 'i', 'g', 0);
    assertThat(viaJnr.readlink("/nope", p, 4)).isEqualTo(-Errno.ENOENT);
  }

  @Test
  void getxattrAnswersSizeQueriesAndRangeErrors() {
    assertThat(viaJfuse.getxattr(FakeFileSystem.HOSTNAME, "user.x", ByteBuffer.allocate(0)))
        .isEqualTo(5);
    assertThat(viaJfuse.getxattr(FakeFileSystem.HOSTNAME, "user.x", ByteBuffer.allocate(4)))
        .isEqualTo(-Errno.ERANGE);
    ByteBuffer value = ByteBuffer.allocate(16);
    assertThat(viaJfuse.getxattr(FakeFileSystem.HOSTNAME, "user.x", value)).isEqualTo(5);
    assertThat(Arrays.copyOf(value.array(), 5)).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
    assertThat(viaJfuse.getxattr(FakeFileSystem.HOSTNAME, "user.nope", value))
        .isEqualTo(-Errno.ENODATA);
    assertThat(viaJfuse.getxattr(FakeFileSystem.HOSTNAME, "user.empty", value)).isZero();

    Pointer p = Memory.allocateDirect(RUNTIME, 16);
    assertThat(viaJnr.getxattr(FakeFileSystem.HOSTNAME, "user.x", p, 0)).isEqualTo(5);
    assertThat(viaJnr.getxattr(FakeFileSystem.HOSTNAME, "user.x", p, 4)).isEqualTo(-Errno.ERANGE);
    assertThat(viaJnr.getxattr(FakeFileSystem.HOSTNAME, "user.x", p, 16)).isEqualTo(5);
    assertThat(bytes(p, 5)).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
    assertThat(viaJnr.getxattr(FakeFileSystem.HOSTNAME, "user.nope", p, 16))
        .isEqualTo(-Errno.ENODATA);
  }

  @Test
  void listxattrIsNulSeparatedNames() {
    byte[] want = "user.x\0user.empty\0user.big\0".getBytes(StandardCharsets.UTF_8);
    assertThat(viaJfuse.listxattr(FakeFileSystem.HOSTNAME, ByteBuffer.allocate(0)))
        .isEqualTo(want.length);
    assertThat(viaJfuse.listxattr(FakeFileSystem.HOSTNAME, ByteBuffer.allocate(want.length - 1)))
        .isEqualTo(-Errno.ERANGE);
    ByteBuffer list = ByteBuffer.allocate(want.length);
    assertThat(viaJfuse.listxattr(FakeFileSystem.HOSTNAME, list)).isEqualTo(want.length);
    assertThat(list.array()).isEqualTo(want);
    assertThat(viaJfuse.listxattr(FakeFileSystem.BIG, ByteBuffer.allocate(0))).isZero();

    Pointer p = Memory.allocateDirect(RUNTIME, want.length);
    assertThat(viaJnr.listxattr(FakeFileSystem.HOSTNAME, p, 0)).isEqualTo(want.length);
    assertThat(viaJnr.listxattr(FakeFileSystem.HOSTNAME, p, want.length - 1))
        .isEqualTo(-Errno.ERANGE);
    assertThat(viaJnr.listxattr(FakeFileSystem.HOSTNAME, p, want.length)).isEqualTo(want.length);
    assertThat(bytes(p, want.length)).isEqualTo(want);
  }

  @Test
  void readsAreFullUntilTheEnd() {
    byte[] big = FakeFileSystem.bigContent();
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    long tail = big.length - 1000L;
    assertThat(viaJfuse.read(FakeFileSystem.BIG, buf, buf.capacity(), tail, null)).isEqualTo(1000);
    assertThat(Arrays.copyOf(buf.array(), 1000))
        .isEqualTo(Arrays.copyOfRange(big, (int) tail, big.length));
    assertThat(viaJfuse.read(FakeFileSystem.BIG, buf, buf.capacity(), big.length, null)).isZero();
    assertThat(viaJfuse.read(FakeFileSystem.BROKEN, buf, 10, 0, null)).isEqualTo(-Errno.EIO);

    Pointer p = Memory.allocateDirect(RUNTIME, 128 * 1024);
    assertThat(viaJnr.read(FakeFileSystem.BIG, p, 128 * 1024, 4096, null)).isEqualTo(128 * 1024);
    assertThat(bytes(p, 128 * 1024)).isEqualTo(Arrays.copyOfRange(big, 4096, 4096 + 128 * 1024));
  }

  @Test
  void jnrFillsTheWholeStat() {
    FileStat st = FileStat.of(Memory.allocateDirect(RUNTIME, Struct.size(new FileStat(RUNTIME))));
    assertThat(viaJnr.getattr(FakeFileSystem.DEVICE, st)).isZero();
    assertThat(st.st_ino.longValue()).isEqualTo(16);
    assertThat(st.st_mode.intValue()).isEqualTo(FakeFileSystem.S_IFCHR | 0666);
    assertThat(st.st_rdev.longValue()).isEqualTo(FakeFileSystem.makedev(1, 3));
    assertThat(viaJnr.getattr(FakeFileSystem.BIG, st)).isZero();
    assertThat(st.st_size.longValue()).isEqualTo(FakeFileSystem.BIG_SIZE);
    assertThat(st.st_blocks.longValue()).isEqualTo((FakeFileSystem.BIG_SIZE + 511) / 512);
    assertThat(st.st_uid.longValue()).isEqualTo(1000);
    assertThat(st.st_gid.longValue()).isEqualTo(100);
    assertThat(st.st_mtim.tv_sec.longValue()).isEqualTo(FakeFileSystem.MTIME);
    assertThat(st.st_mtim.tv_nsec.longValue()).isEqualTo(FakeFileSystem.MTIME_NANOS);
    assertThat(viaJnr.getattr("/nope", st)).isEqualTo(-Errno.ENOENT);
  }

  @Test
  void changesAreRefusedAndSurprisesAreEio() {
    assertThat(viaJfuse.mkdir("/x", 0755)).isEqualTo(-Errno.EROFS);
    assertThat(viaJfuse.unlink(FakeFileSystem.HOSTNAME)).isEqualTo(-Errno.EROFS);
    assertThat(viaJfuse.write(FakeFileSystem.HOSTNAME, ByteBuffer.allocate(1), 1, 0, null))
        .isEqualTo(-Errno.EROFS);
    assertThat(viaJfuse.access(FakeFileSystem.HOSTNAME, FsCalls.W_OK)).isEqualTo(-Errno.EROFS);
    assertThat(viaJfuse.access(FakeFileSystem.HOSTNAME, 4)).isZero();
    assertThat(viaJnr.mkdir("/x", 0755)).isEqualTo(-Errno.EROFS);
    assertThat(viaJnr.rename(FakeFileSystem.HOSTNAME, "/y")).isEqualTo(-Errno.EROFS);
    assertThat(viaJnr.truncate(FakeFileSystem.HOSTNAME, 0)).isEqualTo(-Errno.EROFS);

    ReadOnlyFileSystem exploding =
        new ReadOnlyFileSystem() {
          @Override
          public Attributes getattr(String path) {
            throw new IllegalStateException("bug");
          }

          @Override
          public String readlink(String path) throws FsException {
            throw new FsException(Errno.EINVAL, path);
          }

          @Override
          public List<DirEntry> readdir(String path) {
            return List.of();
          }

          @Override
          public void open(String path, int flags) {}

          @Override
          public int read(String path, byte[] buffer, long offset, int size) {
            throw new OutOfMemoryError("pretend");
          }

          @Override
          public byte[] getxattr(String path, String name) throws FsException {
            throw new FsException(Errno.ENODATA, name);
          }

          @Override
          public List<String> listxattr(String path) {
            return List.of();
          }

          @Override
          public StatFs statfs() {
            return new StatFs(4096, 0, 0, 255);
          }
        };
    JfuseAdapter j = new JfuseAdapter(exploding, Fuse.builder().errno());
    assertThat(j.access("/", 4)).isEqualTo(-Errno.EIO);
    assertThat(j.read("/f", ByteBuffer.allocate(10), 10, 0, null)).isEqualTo(-Errno.EIO);
    JnrFuseAdapter n = new JnrFuseAdapter(exploding);
    assertThat(n.access("/", 4)).isEqualTo(-Errno.EIO);
    assertThat(n.read("/f", Memory.allocateDirect(RUNTIME, 10), 10, 0, null)).isEqualTo(-Errno.EIO);
  }
}
