package dev.strata.fuse;

import dev.strata.fs.FsException;
import dev.strata.fs.ReadOnlyFileSystem;
import dev.strata.fs.ReadOnlyFileSystem.Attributes;
import dev.strata.fs.ReadOnlyFileSystem.DirEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.cryptomator.jfuse.api.DirFiller;
import org.cryptomator.jfuse.api.Errno;
import org.cryptomator.jfuse.api.FileInfo;
import org.cryptomator.jfuse.api.FuseConfig;
import org.cryptomator.jfuse.api.FuseConnInfo;
import org.cryptomator.jfuse.api.FuseOperations;
import org.cryptomator.jfuse.api.Stat;
import org.cryptomator.jfuse.api.Statvfs;
import org.cryptomator.jfuse.api.TimeSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link ReadOnlyFileSystem} through jfuse (libfuse 3, FFM): each callback is one call of
 * the filesystem, an {@link FsException} becomes {@code -errno}, anything that would change the
 * filesystem is {@code -EROFS}. Directory listings carry full attributes (readdirplus), so {@code
 * ls -l} needs no lookup per entry.
 */
final class JfuseAdapter implements FuseOperations {
  private static final Logger LOG = LoggerFactory.getLogger(JfuseAdapter.class);

  private static final Set<Operation> SUPPORTED =
      EnumSet.of(
          Operation.INIT,
          Operation.GET_ATTR,
          Operation.READLINK,
          Operation.OPEN,
          Operation.READ,
          Operation.RELEASE,
          Operation.OPEN_DIR,
          Operation.READ_DIR,
          Operation.RELEASE_DIR,
          Operation.STATFS,
          Operation.GET_XATTR,
          Operation.LIST_XATTR,
          Operation.ACCESS,
          // refused with EROFS (the kernel refuses them first on a read-only mount)
          Operation.CREATE,
          Operation.MKDIR,
          Operation.UNLINK,
          Operation.RMDIR,
          Operation.SYMLINK,
          Operation.RENAME,
          Operation.CHMOD,
          Operation.CHOWN,
          Operation.TRUNCATE,
          Operation.WRITE,
          Operation.UTIMENS,
          Operation.SET_XATTR,
          Operation.REMOVE_XATTR);

  private final ReadOnlyFileSystem fs;
  private final Errno errno;

  JfuseAdapter(ReadOnlyFileSystem fs, Errno errno) {
    this.fs = fs;
    this.errno = errno;
  }

  @Override
  public Errno errno() {
    return errno;
  }

  @Override
  public Set<Operation> supportedOperations() {
    return SUPPORTED;
  }

  @Override
  public void init(FuseConnInfo conn, FuseConfig cfg) {
    // symlink targets never change: let the kernel keep them in its page cache
    if ((conn.capable() & FuseConnInfo.FUSE_CAP_CACHE_SYMLINKS) != 0) {
      conn.setWant(conn.want() | FuseConnInfo.FUSE_CAP_CACHE_SYMLINKS);
    }
    if (cfg != null) {
      // libfuse 3 dropped "-o use_ino": the filesystem sets it here, so stat shows our inodes
      NativeStructs.enableUseIno(cfg);
      if (cfg.useIno() != 1) {
        LOG.warn("cannot enable use_ino: stat will show libfuse's inode numbers, not the image's");
      }
      LOG.debug(
          "libfuse3 config: use_ino={} kernel_cache={} attr_timeout={} entry_timeout={}"
              + " negative_timeout={}; max_readahead={} max_write={} max_read={}",
          cfg.useIno(),
          cfg.kernelCache(),
          cfg.attrTimeout(),
          cfg.entryTimeout(),
          cfg.negativeTimeout(),
          conn.maxReadahead(),
          conn.maxWrite(),
          conn.maxRead());
    }
  }

  @Override
  public int getattr(String path, Stat stat, FileInfo fi) {
    try {
      fill(stat, fs.getattr(path));
      return 0;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("getattr", path, t);
    }
  }

  static void fill(Stat st, Attributes a) {
    st.setMode(a.mode());
    st.setUid((int) a.uid());
    st.setGid((int) a.gid());
    st.setSize(a.size());
    st.setNLink((short) Math.min(a.nlink(), Short.MAX_VALUE));
    Instant mtime = Instant.ofEpochSecond(a.mtimeSeconds(), a.mtimeNanos());
    st.mTime().set(mtime);
    st.aTime().set(mtime);
    st.cTime().set(mtime);
    NativeStructs.completeStat(st, a); // st_ino, st_rdev, st_blocks, st_blksize, full st_nlink
  }

  @Override
  public int readlink(String path, ByteBuffer buf, long len) {
    try {
      byte[] target = fs.readlink(path).getBytes(StandardCharsets.UTF_8);
      int capacity = (int) Math.min(len, buf.limit());
      if (capacity <= 0) {
        return -errno.einval();
      }
      // NUL-terminated, truncated to the buffer as readlink(2) truncates
      int n = Math.min(target.length, capacity - 1);
      buf.put(0, target, 0, n);
      buf.put(n, (byte) 0);
      return 0;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("readlink", path, t);
    }
  }

  @Override
  public int open(String path, FileInfo fi) {
    try {
      fs.open(path, fi.getFlags());
      return 0;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("open", path, t);
    }
  }

  @Override
  public int read(String path, ByteBuffer buf, long count, long offset, FileInfo fi) {
    try {
      int want = (int) Math.min(Math.min(count, buf.limit()), Integer.MAX_VALUE);
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
  public int release(String path, FileInfo fi) {
    return 0;
  }

  @Override
  public int opendir(String path, FileInfo fi) {
    try {
      return FsCalls.isDirectory(fs.getattr(path)) ? 0 : -errno.enotdir();
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("opendir", path, t);
    }
  }

  @Override
  public int readdir(String path, DirFiller filler, long offset, FileInfo fi, int flags) {
    try {
      Attributes self = fs.getattr(path);
      Attributes parent = path.equals("/") ? self : fs.getattr(FsCalls.parentOf(path));
      // offset 0 throughout: libfuse collects the whole listing and pages it out itself
      if (add(filler, ".", self) || add(filler, "..", parent)) {
        return 0;
      }
      for (DirEntry e : fs.readdir(path)) {
        if (add(filler, e.name(), e.attributes())) {
          break;
        }
      }
      return 0;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("readdir", path, t);
    }
  }

  /** Adds one entry with its full attributes; true when the filler refuses more. */
  private static boolean add(DirFiller filler, String name, Attributes a) {
    return filler.fill(name, st -> fill(st, a), 0, DirFiller.FUSE_FILL_DIR_PLUS) != 0;
  }

  @Override
  public int releasedir(String path, FileInfo fi) {
    return 0;
  }

  @Override
  public int statfs(String path, Statvfs statvfs) {
    try {
      ReadOnlyFileSystem.StatFs s = fs.statfs();
      statvfs.setBsize(s.blockSize());
      statvfs.setFrsize(s.blockSize());
      statvfs.setBlocks(s.blocks());
      statvfs.setBfree(0);
      statvfs.setBavail(0);
      statvfs.setNameMax(s.nameMax());
      NativeStructs.setFiles(statvfs, s.files());
      return 0;
    } catch (Throwable t) {
      return FsCalls.unexpected("statfs", path, t);
    }
  }

  @Override
  public int getxattr(String path, String name, ByteBuffer value) {
    try {
      byte[] v = fs.getxattr(path, name);
      if (value.limit() == 0) {
        return v.length; // the caller asks how big a buffer to bring
      }
      if (v.length > value.limit()) {
        return -errno.erange();
      }
      value.put(0, v);
      return v.length;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("getxattr", path, t);
    }
  }

  @Override
  public int listxattr(String path, ByteBuffer list) {
    try {
      byte[] names = FsCalls.xattrNames(fs.listxattr(path));
      if (list.limit() == 0) {
        return names.length;
      }
      if (names.length > list.limit()) {
        return -errno.erange();
      }
      list.put(0, names);
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
      return (mask & FsCalls.W_OK) != 0 ? -errno.erofs() : 0;
    } catch (FsException e) {
      return -e.errno();
    } catch (Throwable t) {
      return FsCalls.unexpected("access", path, t);
    }
  }

  // Everything below would change the filesystem.

  @Override
  public int create(String path, int mode, FileInfo fi) {
    return -errno.erofs();
  }

  @Override
  public int mkdir(String path, int mode) {
    return -errno.erofs();
  }

  @Override
  public int unlink(String path) {
    return -errno.erofs();
  }

  @Override
  public int rmdir(String path) {
    return -errno.erofs();
  }

  @Override
  public int symlink(String linkname, String target) {
    return -errno.erofs();
  }

  @Override
  public int rename(String oldpath, String newpath, int flags) {
    return -errno.erofs();
  }

  @Override
  public int chmod(String path, int mode, FileInfo fi) {
    return -errno.erofs();
  }

  @Override
  public int chown(String path, int uid, int gid, FileInfo fi) {
    return -errno.erofs();
  }

  @Override
  public int truncate(String path, long size, FileInfo fi) {
    return -errno.erofs();
  }

  @Override
  public int write(String path, ByteBuffer buf, long count, long offset, FileInfo fi) {
    return -errno.erofs();
  }

  @Override
  public int utimens(String path, TimeSpec atime, TimeSpec mtime, FileInfo fi) {
    return -errno.erofs();
  }

  @Override
  public int setxattr(String path, String name, ByteBuffer value, int flags) {
    return -errno.erofs();
  }

  @Override
  public int removexattr(String path, String name) {
    return -errno.erofs();
  }
}
