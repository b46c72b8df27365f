package dev.strata.cli;

import dev.strata.fuse.FuseMount;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata umount MOUNTPOINT}: unmounts cleanly, or clears a stale mount left by a crash. */
@Command(
    name = "umount",
    aliases = "unmount",
    mixinStandardHelpOptions = true,
    description = "Unmount a strata mount (also clears a stale mount left by a crash).")
final class UmountCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "MOUNTPOINT")
  Path mountpoint;

  @Override
  public Integer call() throws Exception {
    Path target = mountpoint.toAbsolutePath().normalize();
    if (FuseMount.clearStale(target)) {
      spec.commandLine().getOut().println("cleared a stale mount at " + target);
    } else if (FuseMount.isMounted(target)) {
      FuseMount.unmount(target);
      spec.commandLine().getOut().println("unmounted " + target);
    } else {
      throw new IllegalStateException(target + " is not mounted");
    }
    spec.commandLine().getOut().flush();
    return 0;
  }
}
