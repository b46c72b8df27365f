package dev.strata.cli;

import dev.strata.daemon.DaemonClient;
import dev.strata.fuse.FuseMount;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code strata umount MOUNTPOINT}: unmounts cleanly, or clears a stale mount left by a crash. When
 * a daemon runs and keeps that mount, the daemon unmounts it and forgets it.
 */
@Command(
    name = "umount",
    aliases = "unmount",
    mixinStandardHelpOptions = true,
    description = "Unmount a strata mount (also clears a stale mount left by a crash).")
final class UmountCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "MOUNTPOINT")
  Path mountpoint;

  @Override
  public Integer call() throws Exception {
    Path target = mountpoint.toAbsolutePath().normalize();
    Optional<DaemonClient> daemon = DaemonClient.find(root.global.stateDir());
    if (daemon.isPresent()) {
      DaemonClient.Reply reply = daemon.get().unmount(target);
      if (reply.ok()) {
        spec.commandLine().getOut().println(reply.body().strip());
        spec.commandLine().getOut().flush();
        return 0;
      }
      if (reply.status() != 404) {
        throw new IOException(
            "the daemon (pid " + daemon.get().pid() + "): " + reply.body().strip());
      }
      // not one of the daemon's mounts: unmount it here, as without a daemon
    }
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
