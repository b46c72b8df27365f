package dev.strata.fuse;

import dev.strata.fs.Errno;
import dev.strata.fs.FsException;
import dev.strata.fs.ReadOnlyFileSystem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small image held in memory, with one of everything: directories, files (one of ~20 MiB with
 * deterministic content), a symlink, a hardlinked pair, a FIFO, a character device, a setuid file,
 * a file whose reads fail, extended attributes.
 */
class FakeFileSystem implements ReadOnlyFileSystem {
  static final int S_IFDIR = 0040000;
  static final int S_IFREG = 0100000;
  static final int S_IFLNK = 0120000;
  static final int S_IFIFO = 0010000;
  static final int S_IFCHR = 0020000;
  private static final int O_ACCMODE = 3;

  static final int BIG_SIZE = 20 * 1024 * 1024 + 12_345; // not page aligned: exercises EOF
  static final String BIG = "/data/big.bin";
  static final String HOSTNAME = "/etc/hostname";
  static final String HOSTNAME_CONTENT = "strata-test\n";
  static final String LINK = "/data/link";
  static final String LINK_TARGET = "big.bin";
  static final String LONG_LINK = "/data/long-link";
  static final String LONG_LINK_TARGET = "d/".repeat(200) + "end";
  static final String HARD_A = "/data/hard-a";
  static final String HARD_B = "/data/hard-b";
  static final String FIFO = "/data/fifo";
  static final String DEVICE = "/dev/null";
  static final String SETUID = "/bin/tool";
  static final String BROKEN = "/data/broken";
  static final String UNICODE = "/data/name with space ü";
  static final String EMPTY = "/data/empty";
  static final long MTIME = 1_700_000_000L;
  static final int MTIME_NANOS = 123_456_789;
  static final byte[] BIG_XATTR = "v".repeat(1000).getBytes(StandardCharsets.UTF_8);

  private static byte[] bigContent;

  @SuppressWarnings("ArrayRecordComponent") // never compared: nodes are looked up by path
  record Node(
      Attributes attributes,
      byte[] content,
      String target,
      Map<String, byte[]> xattrs,
      List<String> children) {}

  private final Map<String, Node> nodes = new LinkedHashMap<>();
  final AtomicLong bytesServed = new AtomicLong();
  final AtomicLong reads = new AtomicLong();

  FakeFileSystem() {
    dir("/", 1, 0755, 0, 0);
    dir("/etc", 2, 0755, 0, 0);
    file(HOSTNAME, 3, 0644, 0, 0, 1, HOSTNAME_CONTENT.getBytes(StandardCharsets.UTF_8));
    xattr(HOSTNAME, "user.x", "hello".getBytes(StandardCharsets.UTF_8));
    xattr(HOSTNAME, "user.empty", new byte[0]);
    xattr(HOSTNAME, "user.big", BIG_XATTR);
    dir("/bin", 4, 0755, 0, 0);
    file(SETUID, 5, 04755, 0, 0, 1, "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8));
    dir("/data", 6, 0750, 1000, 1000);
    file(BIG, 7, 0644, 1000, 100, 1, bigContent());
    byte[] shared = "the same file twice\n".getBytes(StandardCharsets.UTF_8);
    file(HARD_A, 8, 0640, 1000, 1000, 2, shared);
    file(HARD_B, 8, 0640, 1000, 1000, 2, shared);
    symlink(LINK, 9, LINK_TARGET);
    symlink(LONG_LINK, 10, LONG_LINK_TARGET);
    add(FIFO, attrs(11, S_IFIFO | 0600, 1, 1000, 1000, 0, 0), null, null);
    file(EMPTY, 12, 0444, 0, 0, 1, new byte[0]);
    file(UNICODE, 13, 0644, 0, 0, 1, "ü\n".getBytes(StandardCharsets.UTF_8));
    file(BROKEN, 14, 0644, 0, 0, 1, new byte[4096]);
    dir("/dev", 15, 0755, 0, 0);
    add(DEVICE, attrs(16, S_IFCHR | 0666, 1, 0, 0, 0, makedev(1, 3)), null, null);
  }

  /** 8-byte words of splitmix64 over their index: no two 4 KiB pages alike. */
  static synchronized byte[] bigContent() {
    if (bigContent == null) {
      byte[] b = new byte[BIG_SIZE];
      for (int i = 0; i < BIG_SIZE; i++) {
        long word = mix(i >>> 3);
        b[i] = (byte) (word >>> ((i & 7) * 8));
      }
      bigContent = b;
    }
    return bigContent;
  }

  private static long mix(long x) {
    long z = x + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static long makedev(int major, int minor) {
    return ((long) (major & 0xfff) << 8)
        | (minor & 0xff)
        | ((long) (minor & ~0xff) << 12)
        | ((long) (major & ~0xfff) << 32);
  }

  /** Every path, parents before children. */
  List<String> paths() {
    return List.copyOf(nodes.keySet());
  }

  Attributes attributes(String path) {
    return nodes.get(path).attributes();
  }

  List<String> children(String dir) {
    return List.copyOf(nodes.get(dir).children());
  }

  private static Attributes attrs(
      long ino, int mode, int nlink, long uid, long gid, long size, long rdev) {
    return new Attributes(ino, mode, nlink, uid, gid, size, rdev, MTIME, MTIME_NANOS);
  }

  private void dir(String path, long ino, int perm, long uid, long gid) {
    add(path, attrs(ino, S_IFDIR | perm, 2, uid, gid, 4096, 0), null, null);
  }

  private void file(String path, long ino, int perm, long uid, long gid, int nlink, byte[] c) {
    add(path, attrs(ino, S_IFREG | perm, nlink, uid, gid, c.length, 0), c, null);
  }

  private void symlink(String path, long ino, String target) {
    int size = target.getBytes(StandardCharsets.UTF_8).length;
    add(path, attrs(ino, S_IFLNK | 0777, 1, 0, 0, size, 0), null, target);
  }

  private void xattr(String path, String name, byte[] value) {
    nodes.get(path).xattrs().put(name, value);
  }

  private void add(String path, Attributes a, byte[] content, String target) {
    nodes.put(path, new Node(a, content, target, new LinkedHashMap<>(), new ArrayList<>()));
    if (!path.equals("/")) {
      String parent = FsCalls.parentOf(path);
      Node p = nodes.get(parent);
      p.children().add(path.substring(path.lastIndexOf('/') + 1));
      if ((a.mode() & 0170000) == S_IFDIR) {
        Attributes pa = p.attributes();
        nodes.put(
            parent,
            new Node(
                new Attributes(
                    pa.inode(),
                    pa.mode(),
                    pa.nlink() + 1,
                    pa.uid(),
                    pa.gid(),
                    pa.size(),
                    pa.rdev(),
                    pa.mtimeSeconds(),
                    pa.mtimeNanos()),
                p.content(),
                p.target(),
                p.xattrs(),
                p.children()));
      }
    }
  }

  private Node node(String path) throws FsException {
    Node n = nodes.get(path);
    if (n == null) {
      throw new FsException(Errno.ENOENT, path);
    }
    return n;
  }

  @Override
  public Attributes getattr(String path) throws FsException {
    return node(path).attributes();
  }

  @Override
  public String readlink(String path) throws FsException {
    Node n = node(path);
    if (n.target() == null) {
      throw new FsException(Errno.EINVAL, "not a symlink: " + path);
    }
    return n.target();
  }

  @Override
  public List<DirEntry> readdir(String path) throws FsException {
    Node n = node(path);
    if ((n.attributes().mode() & 0170000) != S_IFDIR) {
      throw new FsException(Errno.ENOTDIR, path);
    }
    List<DirEntry> out = new ArrayList<>();
    for (String child : n.children()) {
      String childPath = (path.equals("/") ? "" : path) + "/" + child;
      out.add(new DirEntry(child, nodes.get(childPath).attributes()));
    }
    return out;
  }

  @Override
  public void open(String path, int flags) throws FsException {
    Node n = node(path);
    if ((n.attributes().mode() & 0170000) == S_IFDIR) {
      throw new FsException(Errno.EISDIR, path);
    }
    if ((flags & O_ACCMODE) != 0) {
      throw new FsException(Errno.EROFS, path);
    }
  }

  @Override
  public int read(String path, byte[] buffer, long offset, int size) throws FsException {
    Node n = node(path);
    if (n.content() == null) {
      throw new FsException(Errno.EINVAL, "not a regular file: " + path);
    }
    if (path.equals(BROKEN)) {
      throw new FsException(Errno.EIO, "span failed verification");
    }
    reads.incrementAndGet();
    byte[] c = n.content();
    if (offset >= c.length) {
      return 0;
    }
    int count = (int) Math.min(size, c.length - offset);
    System.arraycopy(c, (int) offset, buffer, 0, count);
    bytesServed.addAndGet(count);
    return count;
  }

  @Override
  public byte[] getxattr(String path, String name) throws FsException {
    byte[] v = node(path).xattrs().get(name);
    if (v == null) {
      throw new FsException(Errno.ENODATA, name);
    }
    return Arrays.copyOf(v, v.length);
  }

  @Override
  public List<String> listxattr(String path) throws FsException {
    return List.copyOf(node(path).xattrs().keySet());
  }

  @Override
  public StatFs statfs() {
    return new StatFs(4096, (BIG_SIZE + 4095) / 4096 + nodes.size(), nodes.size(), 255);
  }
}
