package dev.strata.image;

/**
 * The OCI whiteout names (image-spec "Representing changes"; AUFS heritage).
 *
 * <ul>
 *   <li>{@code .wh.NAME} deletes {@code NAME} (and everything under it) that lower layers put in
 *       the same directory;
 *   <li>{@code .wh..wh..opq} deletes everything lower layers put in its directory, keeping the
 *       directory itself;
 *   <li>any other name starting with {@code .wh..wh.} is AUFS bookkeeping ({@code .wh..wh.plnk},
 *       {@code .wh..wh.aufs}) and has no effect.
 * </ul>
 */
public final class Whiteouts {
  /** Prefix of every whiteout name. */
  public static final String PREFIX = ".wh.";

  /** Marks the directory it is in as opaque. */
  public static final String OPAQUE = ".wh..wh..opq";

  /** Prefix of AUFS metadata names (the opaque marker among them). */
  public static final String META_PREFIX = ".wh..wh.";

  /** The top-level AUFS directory whose regular files old Docker layers hardlink to. */
  public static final String AUFS_LINK_DIR = ".wh..wh.plnk";

  private Whiteouts() {}

  /** Whether a file name (one path component) is a whiteout or AUFS metadata name. */
  public static boolean isWhiteoutName(String name) {
    return name.startsWith(PREFIX);
  }
}
