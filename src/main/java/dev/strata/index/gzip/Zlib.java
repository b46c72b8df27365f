package dev.strata.index.gzip;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal binding to the system zlib ({@code libz.so.1}) through the Foreign Function & Memory
 * API: just what gzip indexing and checkpoint restarts need, which {@link java.util.zip.Inflater}
 * cannot do (stop at deflate block boundaries, report the bit position, hand out the window, prime
 * leading bits).
 *
 * <p>A z_stream is a plain {@link MemorySegment} of {@link #Z_STREAM} layout, allocated zeroed by
 * {@link #newStream}; its buffers must be off-heap segments that stay alive while zlib points at
 * them. The functions return zlib's status codes unchanged ({@link #Z_OK}, ...); {@link #describe}
 * turns a failure into a message. Nothing here is thread-safe beyond what zlib is: one z_stream is
 * used by one thread at a time.
 *
 * <p>The library is looked up once, as {@code libz.so.1} (Debian's zlib1g) unless the system
 * property {@code strata.zlib.library} names another file. If it cannot be loaded every call throws
 * {@link IllegalStateException} saying so; {@link #requireAvailable()} checks up front.
 */
@SuppressWarnings("restricted") // native access is the point of this class
public final class Zlib {
  public static final int Z_OK = 0;
  public static final int Z_STREAM_END = 1;
  public static final int Z_NEED_DICT = 2;
  public static final int Z_ERRNO = -1;
  public static final int Z_STREAM_ERROR = -2;
  public static final int Z_DATA_ERROR = -3;
  public static final int Z_MEM_ERROR = -4;
  public static final int Z_BUF_ERROR = -5;
  public static final int Z_VERSION_ERROR = -6;

  public static final int Z_NO_FLUSH = 0;
  public static final int Z_SYNC_FLUSH = 2;
  public static final int Z_FINISH = 4;
  public static final int Z_BLOCK = 5;

  /** windowBits for a raw deflate stream with a 32 KiB window. */
  public static final int RAW = -15;

  /** windowBits for a gzip stream (header and trailer checked) with a 32 KiB window. */
  public static final int GZIP = 15 + 16;

  /** The largest window (and dictionary) deflate uses. */
  public static final int WINDOW_SIZE = 32 * 1024;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final ValueLayout C_UINT = JAVA_INT;
  private static final ValueLayout C_ULONG = (ValueLayout) LINKER.canonicalLayouts().get("long");

  /** {@code struct z_stream_s} from zlib.h, with the platform's natural padding. */
  public static final StructLayout Z_STREAM =
      struct(
          "z_stream",
          ADDRESS.withName("next_in"),
          C_UINT.withName("avail_in"),
          C_ULONG.withName("total_in"),
          ADDRESS.withName("next_out"),
          C_UINT.withName("avail_out"),
          C_ULONG.withName("total_out"),
          ADDRESS.withName("msg"),
          ADDRESS.withName("state"),
          ADDRESS.withName("zalloc"),
          ADDRESS.withName("zfree"),
          ADDRESS.withName("opaque"),
          JAVA_INT.withName("data_type"),
          C_ULONG.withName("adler"),
          C_ULONG.withName("reserved"));

  private static final long NEXT_IN = offset("next_in");
  private static final long AVAIL_IN = offset("avail_in");
  private static final long TOTAL_IN = offset("total_in");
  private static final long NEXT_OUT = offset("next_out");
  private static final long AVAIL_OUT = offset("avail_out");
  private static final long TOTAL_OUT = offset("total_out");
  private static final long MSG = offset("msg");
  private static final long DATA_TYPE = offset("data_type");

  private static final String LOAD_ERROR;
  private static final MemorySegment VERSION;
  private static final MethodHandle INFLATE_INIT2;
  private static final MethodHandle INFLATE;
  private static final MethodHandle INFLATE_END;
  private static final MethodHandle INFLATE_RESET;
  private static final MethodHandle INFLATE_RESET2;
  private static final MethodHandle INFLATE_GET_DICTIONARY;
  private static final MethodHandle INFLATE_SET_DICTIONARY;
  private static final MethodHandle INFLATE_PRIME;

  static {
    String error = null;
    MemorySegment version = null;
    MethodHandle init2 = null;
    MethodHandle inflate = null;
    MethodHandle end = null;
    MethodHandle reset = null;
    MethodHandle reset2 = null;
    MethodHandle getDictionary = null;
    MethodHandle setDictionary = null;
    MethodHandle prime = null;
    String library = System.getProperty("strata.zlib.library", "libz.so.1");
    try {
      if (ADDRESS.byteSize() != 8 || C_ULONG.byteSize() != 8) {
        throw new UnsupportedOperationException(
            "only LP64 platforms are supported (pointer "
                + ADDRESS.byteSize()
                + " bytes, long "
                + C_ULONG.byteSize()
                + " bytes)");
      }
      SymbolLookup lib = SymbolLookup.libraryLookup(library, Arena.global());
      MethodHandle versionHandle =
          LINKER.downcallHandle(lib.findOrThrow("zlibVersion"), FunctionDescriptor.of(ADDRESS));
      version = ((MemorySegment) versionHandle.invokeExact()).reinterpret(64);
      init2 =
          LINKER.downcallHandle(
              lib.findOrThrow("inflateInit2_"),
              FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
      inflate =
          LINKER.downcallHandle(
              lib.findOrThrow("inflate"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
      end =
          LINKER.downcallHandle(
              lib.findOrThrow("inflateEnd"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
      reset =
          LINKER.downcallHandle(
              lib.findOrThrow("inflateReset"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
      reset2 =
          LINKER.downcallHandle(
              lib.findOrThrow("inflateReset2"), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
      getDictionary =
          LINKER.downcallHandle(
              lib.findOrThrow("inflateGetDictionary"),
              FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
      setDictionary =
          LINKER.downcallHandle(
              lib.findOrThrow("inflateSetDictionary"),
              FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
      prime =
          LINKER.downcallHandle(
              lib.findOrThrow("inflatePrime"),
              FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    } catch (Throwable e) {
      error =
          "strata reads gzip layers with the system zlib ("
              + library
              + ", Debian package zlib1g), which could not be loaded: "
              + e;
      version = null;
      init2 = inflate = end = reset = reset2 = getDictionary = setDictionary = prime = null;
    }
    LOAD_ERROR = error;
    VERSION = version;
    INFLATE_INIT2 = init2;
    INFLATE = inflate;
    INFLATE_END = end;
    INFLATE_RESET = reset;
    INFLATE_RESET2 = reset2;
    INFLATE_GET_DICTIONARY = getDictionary;
    INFLATE_SET_DICTIONARY = setDictionary;
    INFLATE_PRIME = prime;
  }

  private Zlib() {}

  /** Whether libz could be loaded. */
  public static boolean isAvailable() {
    return LOAD_ERROR == null;
  }

  /** Throws {@link IllegalStateException} explaining why if the system zlib could not be loaded. */
  public static void requireAvailable() {
    if (LOAD_ERROR != null) {
      throw new IllegalStateException(LOAD_ERROR);
    }
  }

  /** zlib's version string, e.g. {@code 1.2.13}. */
  public static String zlibVersion() {
    requireAvailable();
    return VERSION.getString(0);
  }

  /** A zeroed z_stream (zalloc, zfree, opaque and next_in null) in {@code arena}. */
  public static MemorySegment newStream(Arena arena) {
    return arena.allocate(Z_STREAM);
  }

  /** {@code inflateInit2(strm, windowBits)}: the macro, through {@code inflateInit2_}. */
  public static int inflateInit2(MemorySegment strm, int windowBits) {
    requireAvailable();
    try {
      return (int) INFLATE_INIT2.invokeExact(strm, windowBits, VERSION, (int) Z_STREAM.byteSize());
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  public static int inflate(MemorySegment strm, int flush) {
    requireAvailable();
    try {
      return (int) INFLATE.invokeExact(strm, flush);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  public static int inflateEnd(MemorySegment strm) {
    requireAvailable();
    try {
      return (int) INFLATE_END.invokeExact(strm);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  public static int inflateReset(MemorySegment strm) {
    requireAvailable();
    try {
      return (int) INFLATE_RESET.invokeExact(strm);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  public static int inflateReset2(MemorySegment strm, int windowBits) {
    requireAvailable();
    try {
      return (int) INFLATE_RESET2.invokeExact(strm, windowBits);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  /**
   * Copies the current window (up to {@link #WINDOW_SIZE} bytes) to {@code dictionary} and its
   * length to the {@code uInt} at {@code length}.
   */
  public static int inflateGetDictionary(
      MemorySegment strm, MemorySegment dictionary, MemorySegment length) {
    requireAvailable();
    try {
      return (int) INFLATE_GET_DICTIONARY.invokeExact(strm, dictionary, length);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  public static int inflateSetDictionary(MemorySegment strm, MemorySegment dictionary, int length) {
    requireAvailable();
    try {
      return (int) INFLATE_SET_DICTIONARY.invokeExact(strm, dictionary, length);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  /** Inserts the low {@code bits} bits of {@code value} into the input bit buffer. */
  public static int inflatePrime(MemorySegment strm, int bits, int value) {
    requireAvailable();
    try {
      return (int) INFLATE_PRIME.invokeExact(strm, bits, value);
    } catch (Throwable e) {
      throw rethrow(e);
    }
  }

  /** Points next_in at {@code buffer[offset..offset+length)}. */
  public static void setInput(MemorySegment strm, MemorySegment buffer, long offset, int length) {
    strm.set(ValueLayout.JAVA_LONG, NEXT_IN, buffer.address() + offset);
    strm.set(JAVA_INT, AVAIL_IN, length);
  }

  /** Points next_out at {@code buffer[offset..offset+length)}. */
  public static void setOutput(MemorySegment strm, MemorySegment buffer, long offset, int length) {
    strm.set(ValueLayout.JAVA_LONG, NEXT_OUT, buffer.address() + offset);
    strm.set(JAVA_INT, AVAIL_OUT, length);
  }

  public static int availIn(MemorySegment strm) {
    return strm.get(JAVA_INT, AVAIL_IN);
  }

  public static int availOut(MemorySegment strm) {
    return strm.get(JAVA_INT, AVAIL_OUT);
  }

  /** Input consumed since the last init or reset (zlib resets it with the stream). */
  public static long totalIn(MemorySegment strm) {
    return strm.get(ValueLayout.JAVA_LONG, TOTAL_IN);
  }

  /** Output produced since the last init or reset. */
  public static long totalOut(MemorySegment strm) {
    return strm.get(ValueLayout.JAVA_LONG, TOTAL_OUT);
  }

  /**
   * After {@code inflate}: the number of unused bits in the last input byte consumed (bits 0-2),
   * plus 64 while in the last block, plus 128 right after an end-of-block code or a gzip/zlib
   * header.
   */
  public static int dataType(MemorySegment strm) {
    return strm.get(JAVA_INT, DATA_TYPE);
  }

  /** zlib's message for the last error, or null. */
  public static String msg(MemorySegment strm) {
    MemorySegment msg = strm.get(ADDRESS, MSG);
    return msg.equals(MemorySegment.NULL) ? null : msg.reinterpret(1024).getString(0);
  }

  /** A readable description of status {@code ret}, with zlib's message when it set one. */
  public static String describe(MemorySegment strm, int ret) {
    String name =
        switch (ret) {
          case Z_OK -> "Z_OK";
          case Z_STREAM_END -> "Z_STREAM_END";
          case Z_NEED_DICT -> "Z_NEED_DICT";
          case Z_ERRNO -> "Z_ERRNO";
          case Z_STREAM_ERROR -> "Z_STREAM_ERROR";
          case Z_DATA_ERROR -> "Z_DATA_ERROR";
          case Z_MEM_ERROR -> "Z_MEM_ERROR";
          case Z_BUF_ERROR -> "Z_BUF_ERROR";
          case Z_VERSION_ERROR -> "Z_VERSION_ERROR";
          default -> "zlib status " + ret;
        };
    String msg = msg(strm);
    return msg == null ? name : msg + " (" + name + ")";
  }

  private static RuntimeException rethrow(Throwable e) {
    if (e instanceof RuntimeException r) {
      throw r;
    }
    if (e instanceof Error err) {
      throw err;
    }
    throw new IllegalStateException(e);
  }

  private static long offset(String field) {
    return Z_STREAM.byteOffset(PathElement.groupElement(field));
  }

  /** A C struct of {@code members} with the padding the C compiler would insert. */
  private static StructLayout struct(String name, MemoryLayout... members) {
    List<MemoryLayout> laid = new ArrayList<>();
    long size = 0;
    long align = 1;
    int pad = 0;
    for (MemoryLayout member : members) {
      long a = member.byteAlignment();
      align = Math.max(align, a);
      long gap = (a - size % a) % a;
      if (gap > 0) {
        laid.add(MemoryLayout.paddingLayout(gap).withName("pad" + pad++));
        size += gap;
      }
      laid.add(member);
      size += member.byteSize();
    }
    long tail = (align - size % align) % align;
    if (tail > 0) {
      laid.add(MemoryLayout.paddingLayout(tail).withName("pad" + pad));
    }
    return MemoryLayout.structLayout(laid.toArray(MemoryLayout[]::new)).withName(name);
  }
}
