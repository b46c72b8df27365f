package dev.strata.fuse;

import dev.strata.fs.Errno;
import dev.strata.fs.FsException;
import dev.strata.fs.ReadOnlyFileSystem;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What both bindings do the same way around a {@link ReadOnlyFileSystem} call. */
final class FsCalls {
  private static final Logger LOG = LoggerFactory.getLogger(FsCalls.class);

  /** {@code st_blksize}: the I/O size programs like cat and cp use as a hint. */
  static final int BLOCK_SIZE_HINT = 128 * 1024;

  /** Bit 1 of the access(2) mask: W_OK. */
  static final int W_OK = 2;

  static final int S_IFMT = 0170000;
  static final int S_IFDIR = 0040000;

  /** One read buffer per FUSE worker thread: reads are up to 1 MiB and come in fast. */
  private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[0]);

  private FsCalls() {}

  static boolean isDirectory(ReadOnlyFileSystem.Attributes a) {
    return (a.mode() & S_IFMT) == S_IFDIR;
  }

  /** The parent of an absolute FUSE path: {@code /a/b} to {@code /a}, {@code /a} to {@code /}. */
  static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  /** A thread-confined buffer of at least {@code size} bytes. */
  static byte[] buffer(int size) {
    byte[] b = BUFFERS.get();
    if (b.length < size) {
      b = new byte[Math.max(size, 128 * 1024)];
      BUFFERS.set(b);
    }
    return b;
  }

  /**
   * Reads {@code size} bytes at {@code offset}, short only at the end of the file: FUSE (without
   * direct_io) takes a short read for the end of the file.
   */
  static int readFully(ReadOnlyFileSystem fs, String path, byte[] buffer, long offset, int size)
      throws FsException {
    int total = fs.read(path, buffer, offset, size);
    if (total <= 0) {
      return 0;
    }
    while (total < size) {
      // a short read before the end: the contract fills from the start of a buffer, so the rest
      // goes through a second one (rare: a filesystem returns short reads at span boundaries)
      byte[] rest = new byte[size - total];
      int n = fs.read(path, rest, offset + total, rest.length);
      if (n <= 0) {
        break;
      }
      System.arraycopy(rest, 0, buffer, total, n);
      total += n;
    }
    return total;
  }

  /** The listxattr(2) format: each name, NUL-terminated, one after the other. */
  static byte[] xattrNames(List<String> names) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String name : names) {
      out.writeBytes(name.getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    return out.toByteArray();
  }

  /** Logs a failure the filesystem did not express as an errno and returns {@code -EIO}. */
  static int unexpected(String operation, String path, Throwable t) {
    LOG.error("FUSE {} {} failed unexpectedly", operation, path, t);
    return -Errno.EIO;
  }
}
