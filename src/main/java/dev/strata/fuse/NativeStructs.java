package dev.strata.fuse;

import dev.strata.fs.ReadOnlyFileSystem.Attributes;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the fields of {@code struct stat} and {@code struct statvfs} that jfuse 0.7.3's {@code
 * Stat} and {@code Statvfs} have no setters for: {@code st_ino} (needed with {@code use_ino}),
 * {@code st_rdev} (device numbers), {@code st_blocks}, {@code st_blksize}, a full-width {@code
 * st_nlink} (jfuse takes a {@code short}) and {@code f_files}.
 *
 * <p>jfuse's Linux implementations are records over the native struct with a {@code segment()}
 * accessor; their classes are not public, so the accessor is reached reflectively (which works
 * while jfuse is on the class path, as it is here). When it cannot be reached, or on an
 * architecture whose layout is not known here, those fields stay as jfuse left them (zero) and a
 * warning is logged once.
 */
@SuppressWarnings("restricted") // widening a native struct pointer to the struct's known size
final class NativeStructs {
  private static final Logger LOG = LoggerFactory.getLogger(NativeStructs.class);
  private static final AtomicBoolean WARNED = new AtomicBoolean();
  private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
  private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED;
  private static final long STATVFS_FILES = 40;
  private static final long STATVFS_SIZE = 112;
  private static final long FUSE_CONFIG_USE_INO = 64;

  /** Offsets of the fields jfuse cannot set, per architecture's {@code struct stat}. */
  enum StatLayout {
    /** glibc's x86_64 {@code struct stat}: nlink is 64-bit and precedes mode. */
    X86_64(144, 8, 16, true, 40, 56, true, 64),
    /** The generic layout arm64 uses: 32-bit nlink after mode, 32-bit blksize. */
    AARCH64(128, 8, 20, false, 32, 56, false, 64);

    final long size;
    final long ino;
    final long nlink;
    final boolean longNlink;
    final long rdev;
    final long blksize;
    final boolean longBlksize;
    final long blocks;

    StatLayout(
        long size,
        long ino,
        long nlink,
        boolean longNlink,
        long rdev,
        long blksize,
        boolean longBlksize,
        long blocks) {
      this.size = size;
      this.ino = ino;
      this.nlink = nlink;
      this.longNlink = longNlink;
      this.rdev = rdev;
      this.blksize = blksize;
      this.longBlksize = longBlksize;
      this.blocks = blocks;
    }

    static Optional<StatLayout> forArch(String osArch) {
      return switch (osArch.toLowerCase(Locale.ROOT)) {
        case "amd64", "x86_64" -> Optional.of(X86_64);
        case "aarch64", "arm64" -> Optional.of(AARCH64);
        default -> Optional.empty();
      };
    }
  }

  private static final Optional<StatLayout> LAYOUT =
      StatLayout.forArch(System.getProperty("os.arch", ""));

  private static final ClassValue<Optional<MethodHandle>> SEGMENT_ACCESSOR =
      new ClassValue<>() {
        @Override
        protected Optional<MethodHandle> computeValue(Class<?> type) {
          try {
            Method m = type.getDeclaredMethod("segment");
            if (m.getReturnType() != MemorySegment.class) {
              return Optional.empty();
            }
            m.setAccessible(true);
            return Optional.of(MethodHandles.lookup().unreflect(m));
          } catch (ReflectiveOperationException | RuntimeException e) {
            warnOnce("cannot reach the native struct behind " + type.getName() + ": " + e);
            return Optional.empty();
          }
        }
      };

  private NativeStructs() {}

  /** Whether {@link #completeStat} can write into jfuse's {@code Stat} on this machine. */
  static boolean canCompleteStat(Object jfuseStat) {
    return LAYOUT.isPresent() && segment(jfuseStat, 0).isPresent();
  }

  /** Writes inode, link count, rdev, block size and block count of {@code a}. */
  static void completeStat(Object jfuseStat, Attributes a) {
    if (LAYOUT.isEmpty()) {
      warnOnce("unknown struct stat layout on " + System.getProperty("os.arch"));
      return;
    }
    StatLayout l = LAYOUT.get();
    Optional<MemorySegment> found = segment(jfuseStat, l.size);
    if (found.isEmpty()) {
      return;
    }
    MemorySegment s = found.get();
    s.set(LONG, l.ino, a.inode());
    if (l.longNlink) {
      s.set(LONG, l.nlink, a.nlink());
    } else {
      s.set(INT, l.nlink, a.nlink());
    }
    s.set(LONG, l.rdev, a.rdev());
    if (l.longBlksize) {
      s.set(LONG, l.blksize, FsCalls.BLOCK_SIZE_HINT);
    } else {
      s.set(INT, l.blksize, FsCalls.BLOCK_SIZE_HINT);
    }
    s.set(LONG, l.blocks, a.blocks());
  }

  /** Writes {@code f_files} (the same offset on every 64-bit Linux). */
  static void setFiles(Object jfuseStatvfs, long files) {
    if (LAYOUT.isEmpty()) {
      return;
    }
    segment(jfuseStatvfs, STATVFS_SIZE).ifPresent(s -> s.set(LONG, STATVFS_FILES, files));
  }

  /**
   * Sets {@code use_ino} in libfuse 3's {@code struct fuse_config}, which libfuse 3 no longer takes
   * as a {@code -o} option and jfuse's {@code FuseConfig} cannot set: at the same offset (64) on
   * every 64-bit Linux from libfuse 3.0 on.
   *
   * @return whether it could be written
   */
  static boolean enableUseIno(Object jfuseConfig) {
    Optional<MemorySegment> s = segment(jfuseConfig, FUSE_CONFIG_USE_INO + 4);
    s.ifPresent(c -> c.set(INT, FUSE_CONFIG_USE_INO, 1));
    return s.isPresent();
  }

  private static Optional<MemorySegment> segment(Object struct, long size) {
    Optional<MethodHandle> accessor = SEGMENT_ACCESSOR.get(struct.getClass());
    if (accessor.isEmpty()) {
      return Optional.empty();
    }
    MemorySegment s;
    try {
      s = (MemorySegment) accessor.get().invoke(struct);
    } catch (Throwable t) {
      warnOnce("cannot read the native struct behind " + struct.getClass().getName() + ": " + t);
      return Optional.empty();
    }
    if (s.byteSize() < size) {
      s = s.reinterpret(size);
    }
    return Optional.of(s);
  }

  private static void warnOnce(String message) {
    if (WARNED.compareAndSet(false, true)) {
      LOG.warn(
          "{}; inode numbers, device numbers and block counts will read as 0 through jfuse",
          message);
    }
  }
}
