package dev.strata.fs;

import java.util.List;

/**
 * The filesystem a FUSE binding serves, in terms of paths (as FUSE's high-level API gives them:
 * {@code "/"}, {@code "/etc/passwd"}). It knows no binding types; every failure is an {@link
 * FsException} carrying the errno to return. Implementations are thread-safe: bindings call them
 * from many threads.
 */
public interface ReadOnlyFileSystem {
  Attributes getattr(String path) throws FsException;

  /** A symlink's target. */
  String readlink(String path) throws FsException;

  /** The entries of a directory, without {@code .} and {@code ..}, with their attributes. */
  List<DirEntry> readdir(String path) throws FsException;

  /**
   * Checks that {@code path} may be opened with {@code flags} (the open(2) flags): a write mode
   * fails with EROFS, a directory with EISDIR.
   */
  void open(String path, int flags) throws FsException;

  /**
   * Reads up to {@code size} bytes at {@code offset} into {@code buffer}; returns the count (0 at
   * or past the end). A read whose bytes cannot be fetched and verified fails with EIO.
   */
  int read(String path, byte[] buffer, long offset, int size) throws FsException;

  /** An extended attribute's value; ENODATA when absent. */
  byte[] getxattr(String path, String name) throws FsException;

  List<String> listxattr(String path) throws FsException;

  StatFs statfs();

  /** What stat(2) reports. {@code mode} includes the file type bits ({@code S_IFREG} etc.). */
  record Attributes(
      long inode,
      int mode,
      int nlink,
      long uid,
      long gid,
      long size,
      long rdev,
      long mtimeSeconds,
      int mtimeNanos) {
    /** 512-byte blocks, as du counts them. */
    public long blocks() {
      return (size + 511) / 512;
    }
  }

  record DirEntry(String name, Attributes attributes) {}

  /** What statfs(2) reports for the (read-only) mount. */
  record StatFs(long blockSize, long blocks, long files, int nameMax) {}
}
