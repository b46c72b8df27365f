package dev.strata.index.tar;

import dev.strata.index.EntryPaths;
import dev.strata.index.EntryType;
import dev.strata.index.IndexEntry;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A push parser for a tar stream (ustar, GNU long names, PAX): fed the uncompressed layer as it
 * streams by, in chunks of any size, it reports each entry with the offset of its payload in the
 * stream. It holds at most one header and one extended header in memory, never a payload.
 *
 * <p>Why not Commons Compress: its tar reader is a pull stream whose payload offsets are only
 * implied, and it decodes PAX values as UTF-8 text, which corrupts binary extended attributes such
 * as {@code security.capability}. Tests check this parser against Commons Compress.
 */
public final class TarStreamParser {
  /** Receives each entry as its header has been read (its payload follows in the stream). */
  @FunctionalInterface
  public interface Listener {
    void entry(IndexEntry entry) throws TarFormatException;
  }

  private static final int BLOCK = 512;

  /** Bound on a PAX or GNU long-name record: a hostile size cannot exhaust memory. */
  private static final int MAX_EXTENDED_HEADER = 1 << 20;

  private enum State {
    HEADER,
    EXTENDED,
    SKIP,
    END
  }

  private final Listener listener;
  private final byte[] header = new byte[BLOCK];
  private int headerFill;
  private State state = State.HEADER;
  private long position;
  private long skipRemaining;
  private long skipPadding;
  private byte[] extended;
  private int extendedFill;
  private char extendedType;
  private int zeroBlocks;
  private int entries;

  private Map<String, byte[]> pax = new LinkedHashMap<>();
  private final Map<String, byte[]> globalPax = new HashMap<>();
  private String gnuLongName;
  private String gnuLongLink;

  public TarStreamParser(Listener listener) {
    this.listener = listener;
  }

  /** Bytes consumed so far. */
  public long position() {
    return position;
  }

  public int entryCount() {
    return entries;
  }

  /** Whether the end-of-archive marker (two zero blocks) was seen. */
  public boolean ended() {
    return state == State.END;
  }

  /**
   * Called at the end of the stream: fails when it ended inside a header, an extended header or a
   * payload (a truncated layer). A stream without the end-of-archive marker is accepted, as GNU tar
   * accepts it.
   */
  public void finish() throws TarFormatException {
    // Go's archive/tar (and so umoci) may end a layer right after the last payload, without the
    // padding or the end marker; Go readers accept that, so we do too.
    boolean afterLastPayload = state == State.SKIP && skipRemaining <= skipPadding;
    boolean clean =
        state == State.END
            || afterLastPayload
            || (state == State.HEADER && headerFill == 0 && pax.isEmpty());
    if (!clean) {
      throw new TarFormatException(
          "truncated tar: the stream ends inside an entry at byte " + position);
    }
  }

  public void feed(byte[] buffer, int offset, int length) throws TarFormatException {
    int i = offset;
    int end = offset + length;
    while (i < end) {
      switch (state) {
        case HEADER -> {
          int n = Math.min(BLOCK - headerFill, end - i);
          System.arraycopy(buffer, i, header, headerFill, n);
          headerFill += n;
          i += n;
          position += n;
          if (headerFill == BLOCK) {
            headerFill = 0;
            onHeader();
          }
        }
        case EXTENDED -> {
          int n = Math.min(extended.length - extendedFill, end - i);
          System.arraycopy(buffer, i, extended, extendedFill, n);
          extendedFill += n;
          i += n;
          position += n;
          if (extendedFill == extended.length) {
            onExtended();
          }
        }
        case SKIP -> {
          long n = Math.min(skipRemaining, end - i);
          skipRemaining -= n;
          i += (int) n;
          position += n;
          if (skipRemaining == 0) {
            state = State.HEADER;
          }
        }
        case END -> {
          // trailing zero padding after the end marker: counted, ignored
          position += end - i;
          i = end;
        }
      }
    }
  }

  private static long padded(long size) {
    return (size + BLOCK - 1) / BLOCK * BLOCK;
  }

  private void onHeader() throws TarFormatException {
    if (isZero(header)) {
      zeroBlocks++;
      if (zeroBlocks == 2) {
        state = State.END;
      }
      return;
    }
    if (zeroBlocks > 0) {
      throw new TarFormatException(
          "a lone zero block inside the archive at byte " + (position - 2 * BLOCK));
    }
    verifyChecksum();
    char type = (char) header[156];
    long size = number(124, 12, "size");
    switch (type) {
      case 'x', 'g', 'L', 'K' -> {
        if (size > MAX_EXTENDED_HEADER) {
          throw new TarFormatException(
              "extended header of " + size + " bytes (more than " + MAX_EXTENDED_HEADER + ")");
        }
        extendedType = type;
        extended = new byte[(int) padded(size)];
        extendedFill = 0;
        extendedSize = (int) size;
        state = extended.length == 0 ? State.HEADER : State.EXTENDED;
        if (extended.length == 0) {
          onExtended();
        }
      }
      default -> onEntry(type, size);
    }
  }

  private int extendedSize;

  private void onExtended() throws TarFormatException {
    byte[] data = java.util.Arrays.copyOf(extended, extendedSize);
    extended = null;
    state = State.HEADER;
    switch (extendedType) {
      case 'x' -> pax.putAll(parsePax(data));
      case 'g' -> globalPax.putAll(parsePax(data));
      case 'L' -> gnuLongName = cString(data, 0, data.length);
      case 'K' -> gnuLongLink = cString(data, 0, data.length);
      default -> throw new IllegalStateException("unreachable extended type " + extendedType);
    }
  }

  private void onEntry(char type, long headerSize) throws TarFormatException {
    Map<String, byte[]> attributes = new HashMap<>(globalPax);
    attributes.putAll(pax);
    String rawName = text(attributes, "path");
    if (rawName == null) {
      rawName = gnuLongName != null ? gnuLongName : ustarName();
    }
    String rawLink = text(attributes, "linkpath");
    if (rawLink == null) {
      rawLink = gnuLongLink != null ? gnuLongLink : cString(header, 157, 100);
    }
    pax = new LinkedHashMap<>();
    gnuLongName = null;
    gnuLongLink = null;

    for (String key : attributes.keySet()) {
      if (key.startsWith("GNU.sparse.")) {
        throw new TarFormatException("entry '" + rawName + "': sparse files are not supported");
      }
    }
    EntryType entryType =
        switch (type) {
          case '0', '\0', '7' -> EntryType.FILE;
          case '1' -> EntryType.HARDLINK;
          case '2' -> EntryType.SYMLINK;
          case '3' -> EntryType.CHAR_DEVICE;
          case '4' -> EntryType.BLOCK_DEVICE;
          case '5' -> EntryType.DIRECTORY;
          case '6' -> EntryType.FIFO;
          case 'S' ->
              throw new TarFormatException(
                  "entry '" + rawName + "': sparse files are not supported");
          default ->
              throw new TarFormatException(
                  "entry '" + rawName + "': unsupported tar entry type '" + printable(type) + "'");
        };
    if (entryType == EntryType.FILE && rawName.endsWith("/")) {
      entryType = EntryType.DIRECTORY; // old tars mark directories by a trailing slash only
    }
    long size = attributes.containsKey("size") ? decimal(attributes, "size", rawName) : headerSize;
    if (size < 0) {
      throw new TarFormatException("entry '" + rawName + "': negative size");
    }
    long payload = entryType == EntryType.FILE ? size : 0;
    // Hardlinks and others may carry a size in broken archives; the data is still skipped.
    long skip = padded(type == '1' || type == '2' || type == '5' ? 0 : size);

    String path;
    String linkTarget = "";
    try {
      path = EntryPaths.normalize(rawName);
      if (entryType == EntryType.HARDLINK) {
        linkTarget = EntryPaths.normalizeHardlinkTarget(rawLink);
      } else if (entryType == EntryType.SYMLINK) {
        if (rawLink.isEmpty()) {
          throw new IllegalArgumentException("symlink with an empty target");
        }
        linkTarget = rawLink;
      }
    } catch (IllegalArgumentException e) {
      throw new TarFormatException("entry '" + rawName + "': " + e.getMessage());
    }
    long seconds = number(136, 12, "mtime");
    int nanos = 0;
    if (attributes.containsKey("mtime")) {
      String mtime = text(attributes, "mtime");
      try {
        java.math.BigDecimal value = new java.math.BigDecimal(mtime);
        seconds = value.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
        nanos = value.subtract(java.math.BigDecimal.valueOf(seconds)).movePointRight(9).intValue();
      } catch (ArithmeticException | NumberFormatException e) {
        throw new TarFormatException("entry '" + rawName + "': bad PAX mtime '" + mtime + "'");
      }
    }
    long uid =
        attributes.containsKey("uid") ? decimal(attributes, "uid", rawName) : number(108, 8, "uid");
    long gid =
        attributes.containsKey("gid") ? decimal(attributes, "gid", rawName) : number(116, 8, "gid");
    boolean devices = entryType == EntryType.CHAR_DEVICE || entryType == EntryType.BLOCK_DEVICE;
    IndexEntry entry =
        new IndexEntry(
            path,
            entryType,
            (int) (number(100, 8, "mode") & 07777),
            uid,
            gid,
            payload,
            seconds,
            nanos,
            linkTarget,
            devices ? (int) number(329, 8, "devmajor") : 0,
            devices ? (int) number(337, 8, "devminor") : 0,
            xattrs(attributes, rawName),
            payload > 0 ? position : -1);
    entries++;
    listener.entry(entry);
    skipRemaining = skip;
    skipPadding = skip - (type == '1' || type == '2' || type == '5' ? 0 : size);
    state = skip > 0 ? State.SKIP : State.HEADER;
  }

  private static Map<String, byte[]> xattrs(Map<String, byte[]> attributes, String entry)
      throws TarFormatException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> a : attributes.entrySet()) {
      String key = a.getKey();
      if (key.startsWith("SCHILY.xattr.")) {
        out.put(key.substring("SCHILY.xattr.".length()), a.getValue());
      } else if (key.startsWith("LIBARCHIVE.xattr.")) {
        try {
          String name =
              java.net.URLDecoder.decode(
                  key.substring("LIBARCHIVE.xattr.".length()), StandardCharsets.UTF_8);
          String value = new String(a.getValue(), StandardCharsets.US_ASCII);
          out.putIfAbsent(name, Base64.getDecoder().decode(value));
        } catch (IllegalArgumentException e) {
          throw new TarFormatException("entry '" + entry + "': malformed " + key);
        }
      }
    }
    return out;
  }

  /** PAX records: {@code "LEN KEY=VALUE\n"}, LEN counting the whole record; values are bytes. */
  private static Map<String, byte[]> parsePax(byte[] data) throws TarFormatException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    int i = 0;
    while (i < data.length) {
      if (data[i] == 0) {
        break; // padding
      }
      int space = i;
      while (space < data.length && data[space] != ' ') {
        space++;
      }
      int length;
      try {
        length = Integer.parseInt(new String(data, i, space - i, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw new TarFormatException("malformed PAX record length at byte " + i);
      }
      int recordEnd = i + length;
      if (length <= 0 || recordEnd > data.length || data[recordEnd - 1] != '\n') {
        throw new TarFormatException("malformed PAX record at byte " + i);
      }
      int equals = space + 1;
      while (equals < recordEnd && data[equals] != '=') {
        equals++;
      }
      if (equals >= recordEnd) {
        throw new TarFormatException("PAX record without '=' at byte " + i);
      }
      String key = new String(data, space + 1, equals - space - 1, StandardCharsets.UTF_8);
      byte[] value = java.util.Arrays.copyOfRange(data, equals + 1, recordEnd - 1);
      if (value.length == 0) {
        out.remove(key); // an empty value deletes the keyword
      } else {
        out.put(key, value);
      }
      i = recordEnd;
    }
    return out;
  }

  private static String text(Map<String, byte[]> attributes, String key) {
    byte[] value = attributes.get(key);
    return value == null ? null : new String(value, StandardCharsets.UTF_8);
  }

  private static long decimal(Map<String, byte[]> attributes, String key, String entry)
      throws TarFormatException {
    try {
      return Long.parseLong(text(attributes, key).strip());
    } catch (NumberFormatException e) {
      throw new TarFormatException("entry '" + entry + "': bad PAX " + key);
    }
  }

  private String ustarName() {
    String name = cString(header, 0, 100);
    boolean ustar =
        header[257] == 'u'
            && header[258] == 's'
            && header[259] == 't'
            && header[260] == 'a'
            && header[261] == 'r';
    // GNU tar's "ustar  " magic has no prefix field (bytes 345.. hold times).
    boolean posix = ustar && header[262] == 0;
    if (posix && header[345] != 0) {
      return cString(header, 345, 155) + "/" + name;
    }
    return name;
  }

  private void verifyChecksum() throws TarFormatException {
    long stored = number(148, 8, "checksum");
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      byte b = (i >= 148 && i < 156) ? (byte) ' ' : header[i];
      unsigned += b & 0xff;
      signed += b;
    }
    if (stored != unsigned && stored != signed) {
      throw new TarFormatException(
          "tar header checksum mismatch at byte "
              + (position - BLOCK)
              + ": not a tar stream, or corrupted");
    }
  }

  /** An octal field, or GNU base-256 when the high bit of the first byte is set. */
  private long number(int offset, int length, String field) throws TarFormatException {
    if ((header[offset] & 0x80) != 0) {
      if ((header[offset] & 0x40) != 0) {
        throw new TarFormatException("negative base-256 " + field + " in tar header");
      }
      long value = header[offset] & 0x3f;
      for (int i = 1; i < length; i++) {
        if (value > (Long.MAX_VALUE >> 8)) {
          throw new TarFormatException("base-256 " + field + " too large");
        }
        value = (value << 8) | (header[offset + i] & 0xff);
      }
      return value;
    }
    long value = 0;
    int i = offset;
    int end = offset + length;
    while (i < end && (header[i] == ' ' || header[i] == 0)) {
      i++;
    }
    for (; i < end; i++) {
      byte b = header[i];
      if (b == 0 || b == ' ') {
        break;
      }
      if (b < '0' || b > '7') {
        throw new TarFormatException("malformed " + field + " field in tar header");
      }
      value = (value << 3) | (b - '0');
    }
    return value;
  }

  private static String cString(byte[] data, int offset, int length) {
    int end = offset;
    while (end < offset + length && data[end] != 0) {
      end++;
    }
    return new String(data, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static boolean isZero(byte[] block) {
    for (byte b : block) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  private static String printable(char c) {
    return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c);
  }
}
