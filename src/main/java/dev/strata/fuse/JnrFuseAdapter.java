package dev.strata.fuse;

import dev.strata.fs.Errno;
import dev.strata.fs.FsException;
import dev.strata.fs.ReadOnlyFileSystem;
import dev.strata.fs.ReadOnlyFileSystem.Attributes;
import dev.strata.fs.ReadOnlyFileSystem.DirEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Struct;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * Serves a {@link ReadOnlyFileSystem} through jnr-fuse (libfuse 2): each callback is one call of
 * the filesystem, an {@link FsException} becomes {@code -errno}, anything that would change the
 * filesystem is {@code -EROFS}. Mounted with {@code use_ino}, so the inode numbers the filesystem
 * reports are the ones {@code stat} shows.
 */
final class JnrFuseAdapter extends FuseStubFS {
  private static final int STAT_SIZE =
      Struct.size(new FileStat(jnr.ffi.Runtime.getSystemRuntime()));

  private final ReadOnlyFileSystem fs;

  /** Loads {@code libfuse.so.2}; throws {@link UnsatisfiedLinkError} when it is missing. */
  JnrFuseAdapter(ReadOnlyFileSystem fs) {
    this.fs = fs;
  }

  /** argv[0] of fuse_main: libfuse's default for {@code fsname}, which we always set. */
  @Override
  protected String getFSName() {
    return MountOptions.SUBTYPE;
  }

  /**
   * Tells jnr-fuse the mount is gone. Its JVM shutdown hook would otherwise lazily unmount whatever
   * is mounted at the path when the JVM exits (perhaps a later mount).
   */
  void markUnmounted() {
    mounted.set(false);
  }

  @Override
  public int getattr(String path, FileStat stat) {
    try {
      fill(stat, fs.getattr(path));
      return 0;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("getattr", path, t);
    }
  }

  @Override
  public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
    return getattr(path, stat);
  }

  static void fill(FileStat st, Attributes a) {
    st.st_mode.set(a.mode());
    st.st_ino.set(a.inode());
    st.st_nlink.set(a.nlink());
    st.st_uid.set(a.uid());
    st.st_gid.set(a.gid());
    st.st_size.set(a.size());
    st.st_rdev.set(a.rdev());
    st.st_blksize.set(FsCalls.BLOCK_SIZE_HINT);
    st.st_blocks.set(a.blocks());
    setTime(st.st_mtim, a);
    setTime(st.st_atim, a);
    setTime(st.st_ctim, a);
  }

  private static void setTime(Timespec t, Attributes a) {
    t.tv_sec.set(a.mtimeSeconds());
    t.tv_nsec.set(a.mtimeNanos());
  }

  @Override
  public int readlink(String path, Pointer buf, long size) {
    try {
      byte[] target = fs.readlink(path).getBytes(StandardCharsets.UTF_8);
      if (size <= 0) {
        return -Errno.EINVAL;
      }
      // NUL-terminated, truncated to the buffer as readlink(2) truncates
      int n = (int) Math.min(target.length, size - 1);
      buf.put(0, target, 0, n);
      buf.putByte(n, (byte) 0);
      return 0;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("readlink", path, t);
    }
  }

  @Override
  public int opendir(String path, FuseFileInfo fi) {
    try {
      return FsCalls.isDirectory(fs.getattr(path)) ? 0 : -Errno.ENOTDIR;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("opendir", path, t);
    }
  }

  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
    try {
      Attributes self = fs.getattr(path);
      Attributes parent = path.equals("/") ? self : fs.getattr(FsCalls.parentOf(path));
      // one native stat for all entries: libfuse copies what it needs before the filler returns
      Pointer statMemory = Memory.allocateDirect(jnr.ffi.Runtime.getSystemRuntime(), STAT_SIZE);
      FileStat stat = FileStat.of(statMemory);
      if (add(filler, buf, ".", self, stat, statMemory)
          || add(filler, buf, "..", parent, stat, statMemory)) {
        return 0;
      }
      for (DirEntry e : fs.readdir(path)) {
        if (add(filler, buf, e.name(), e.attributes(), stat, statMemory)) {
          break; // the buffer is full; with offset 0 everywhere libfuse 2 never says so
        }
      }
      return 0;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("readdir", path, t);
    }
  }

  /** Adds one entry; true when the filler reports its buffer full. */
  private static boolean add(
      FuseFillDir filler, Pointer buf, String name, Attributes a, FileStat stat, Pointer mem) {
    fill(stat, a);
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    byte[] cString = new byte[utf8.length + 1]; // NUL-terminated
    System.arraycopy(utf8, 0, cString, 0, utf8.length);
    return filler.apply(buf, ByteBuffer.wrap(cString), mem, 0) != 0;
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    try {
      fs.open(path, fi.flags.intValue());
      return 0;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("open", path, t);
    }
  }

  @Override
  public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
    try {
      int want = (int) Math.min(size, Integer.MAX_VALUE);
      byte[] bytes = FsCalls.buffer(want);
      int n = FsCalls.readFully(fs, path, bytes, offset, want);
      buf.put(0, bytes, 0, n);
      return n;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("read", path, t);
    }
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    return 0;
  }

  @Override
  public int releasedir(String path, FuseFileInfo fi) {
    return 0;
  }

  @Override
  public int flush(String path, FuseFileInfo fi) {
    return 0;
  }

  @Override
  public int statfs(String path, Statvfs stbuf) {
    try {
      ReadOnlyFileSystem.StatFs s = fs.statfs();
      stbuf.f_bsize.set(s.blockSize());
      stbuf.f_frsize.set(s.blockSize());
      stbuf.f_blocks.set(s.blocks());
      stbuf.f_bfree.set(0);
      stbuf.f_bavail.set(0);
      stbuf.f_files.set(s.files());
      stbuf.f_ffree.set(0);
      stbuf.f_favail.set(0);
      stbuf.f_namemax.set(s.nameMax());
      return 0;
    } catch (Throwable t) {
      return FsCalls.unexpected("statfs", path, t);
    }
  }

  @Override
  public int getxattr(String path, String name, Pointer value, long size) {
    try {
      byte[] v = fs.getxattr(path, name);
      if (size == 0) {
        return v.length; // the caller asks how big a buffer to bring
      }
      if (v.length > size) {
        return -Errno.ERANGE;
      }
      value.put(0, v, 0, v.length);
      return v.length;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("getxattr", path, t);
    }
  }

  @Override
  public int listxattr(String path, Pointer list, long size) {
    try {
      byte[] names = FsCalls.xattrNames(fs.listxattr(path));
      if (size == 0) {
        return names.length;
      }
      if (names.length > size) {
        return -Errno.ERANGE;
      }
      list.put(0, names, 0, names.length);
      return names.length;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("listxattr", path, t);
    }
  }

  @Override
  public int access(String path, int mask) {
    try {
      fs.getattr(path);
      return (mask & FsCalls.W_OK) != 0 ? -Errno.EROFS : 0;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("access", path, t);
    }
  }

  // Everything below would change the filesystem. The kernel refuses these on a read-only mount
  // before they get here; answer the same should one arrive anyway.

  @Override
  public int mknod(String path, long mode, long rdev) {
    return -Errno.EROFS;
  }

  @Override
  public int mkdir(String path, long mode) {
    return -Errno.EROFS;
  }

  @Override
  public int unlink(String path) {
    return -Errno.EROFS;
  }

  @Override
  public int rmdir(String path) {
    return -Errno.EROFS;
  }

  @Override
  public int symlink(String oldpath, String newpath) {
    return -Errno.EROFS;
  }

  @Override
  public int rename(String oldpath, String newpath) {
    return -Errno.EROFS;
  }

  @Override
  public int link(String oldpath, String newpath) {
    return -Errno.EROFS;
  }

  @Override
  public int chmod(String path, long mode) {
    return -Errno.EROFS;
  }

  @Override
  public int chown(String path, long uid, long gid) {
    return -Errno.EROFS;
  }

  @Override
  public int truncate(String path, long size) {
    return -Errno.EROFS;
  }

  @Override
  public int ftruncate(String path, long size, FuseFileInfo fi) {
    return -Errno.EROFS;
  }

  @Override
  public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
    return -Errno.EROFS;
  }

  @Override
  public int create(String path, long mode, FuseFileInfo fi) {
    return -Errno.EROFS;
  }

  @Override
  public int setxattr(String path, String name, Pointer value, long size, int flags) {
    return -Errno.EROFS;
  }

  @Override
  public int removexattr(String path, String name) {
    return -Errno.EROFS;
  }

  @Override
  public int utimens(String path, Timespec[] timespec) {
    return -Errno.EROFS;
  }

  @Override
  public int fallocate(String path, int mode, long off, long length, FuseFileInfo fi) {
    return -Errno.EROFS;
  }
}
