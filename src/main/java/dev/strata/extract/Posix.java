package dev.strata.extract;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The few libc calls extraction needs and NIO lacks: a mode with setuid/setgid/sticky bits, owners
 * of symlinks, device nodes and FIFOs, and nanosecond times that do not follow symlinks. Called
 * through the Foreign Function & Memory API.
 */
@SuppressWarnings("restricted") // FFM downcalls are the point of this class
final class Posix {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
  private static final long ERRNO_OFFSET =
      Linker.Option.captureStateLayout()
          .byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

  private static final MethodHandle CHMOD =
      handle(
          "chmod",
          FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
  private static final MethodHandle LCHOWN =
      handle(
          "lchown",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT));
  private static final MethodHandle MKNOD =
      handle(
          "mknod",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_LONG));
  private static final MethodHandle UTIMENSAT =
      handle(
          "utimensat",
          FunctionDescriptor.of(
              ValueLayout.JAVA_INT,
              ValueLayout.JAVA_INT,
              ValueLayout.ADDRESS,
              ValueLayout.ADDRESS,
              ValueLayout.JAVA_INT));

  private Posix() {}

  private static MethodHandle handle(String name, FunctionDescriptor descriptor) {
    MemorySegment symbol =
        LIBC.find(name).orElseThrow(() -> new IllegalStateException("libc lacks " + name));
    return LINKER.downcallHandle(symbol, descriptor, ERRNO);
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  static void chmod(Path path, int mode) throws IOException {
    call("chmod", path, arena -> (int) CHMOD.invokeExact(state(arena), cString(arena, path), mode));
  }

  static void lchown(Path path, long uid, long gid) throws IOException {
    call(
        "lchown",
        path,
        arena ->
            (int) LCHOWN.invokeExact(state(arena), cString(arena, path), (int) uid, (int) gid));
  }

  /** A device node or FIFO; {@code mode} includes the file type bits. */
  static void mknod(Path path, int mode, int major, int minor) throws IOException {
    long dev = makedev(major, minor);
    call(
        "mknod",
        path,
        arena -> (int) MKNOD.invokeExact(state(arena), cString(arena, path), mode, dev));
  }

  /** Sets access and modification time to {@code seconds.nanos} without following symlinks. */
  static void setTimes(Path path, long seconds, int nanos) throws IOException {
    call(
        "utimensat",
        path,
        arena -> {
          MemorySegment times = arena.allocate(32);
          times.set(ValueLayout.JAVA_LONG, 0, seconds);
          times.set(ValueLayout.JAVA_LONG, 8, nanos);
          times.set(ValueLayout.JAVA_LONG, 16, seconds);
          times.set(ValueLayout.JAVA_LONG, 24, nanos);
          return (int)
              UTIMENSAT.invokeExact(
                  state(arena), AT_FDCWD, cString(arena, path), times, AT_SYMLINK_NOFOLLOW);
        });
  }

  /** glibc's gnu_dev_makedev. */
  static long makedev(int major, int minor) {
    long ma = major & 0xffffffffL;
    long mi = minor & 0xffffffffL;
    return ((ma & 0x00000fffL) << 8)
        | ((ma & 0xfffff000L) << 32)
        | (mi & 0x000000ffL)
        | ((mi & 0xffffff00L) << 12);
  }

  @FunctionalInterface
  private interface Call {
    int invoke(Arena arena) throws Throwable;
  }

  private static final ThreadLocal<MemorySegment> LAST_STATE = new ThreadLocal<>();

  private static MemorySegment state(Arena arena) {
    MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
    LAST_STATE.set(state);
    return state;
  }

  private static void call(String name, Path path, Call call) throws IOException {
    try (Arena arena = Arena.ofConfined()) {
      int result;
      try {
        result = call.invoke(arena);
      } catch (Throwable t) {
        throw new IOException(name + " " + path + " failed: " + t, t);
      }
      if (result != 0) {
        int errno = LAST_STATE.get().get(ValueLayout.JAVA_INT, ERRNO_OFFSET);
        throw new IOException(name + " " + path + " failed: errno " + errno);
      }
    }
  }

  private static MemorySegment cString(Arena arena, Path path) {
    return arena.allocateFrom(path.toString());
  }
}
