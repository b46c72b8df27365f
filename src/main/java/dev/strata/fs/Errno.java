package dev.strata.fs;

/** Linux errno values the filesystem returns. */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int EIO = 5;
  public static final int EBADF = 9;
  public static final int EACCES = 13;
  public static final int ENOTDIR = 20;
  public static final int EISDIR = 21;
  public static final int EINVAL = 22;
  public static final int EROFS = 30;
  public static final int ERANGE = 34;
  public static final int ENOSYS = 38;
  public static final int ENODATA = 61;
  public static final int ENOTSUP = 95;

  private Errno() {}
}
