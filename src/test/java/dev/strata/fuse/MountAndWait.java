package dev.strata.fuse;

import java.nio.file.Path;

/**
 * Mounts the fake image and waits to be killed: the process whose death leaves a stale mount for
 * {@link FuseMount#clearStale} to clear. Arguments: binding, mount point.
 */
public final class MountAndWait {
  static final String READY = "MOUNTED";

  private MountAndWait() {}

  public static void main(String[] args) throws Exception {
    FuseBinding binding = FuseBinding.valueOf(args[0]);
    FuseMount mount =
        FuseMount.mount(
            binding, new FakeFileSystem(), Path.of(args[1]), MountOptions.defaults("strata:stale"));
    System.out.println(READY);
    System.out.flush();
    try {
      Thread.sleep(Long.MAX_VALUE);
    } finally {
      mount.close();
    }
  }
}
