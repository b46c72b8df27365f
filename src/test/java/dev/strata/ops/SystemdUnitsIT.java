package dev.strata.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code systemd-analyze verify} accepts both units without a single warning. verify checks that
 * the programs the units run exist, so the units are verified as copies whose {@code /opt/strata/}
 * paths point at this checkout's {@code daemon/} (where the installed {@code bin/} comes from);
 * nothing else is changed.
 */
class SystemdUnitsIT {
  private static final List<String> UNITS =
      List.of("strata.service", "strata-contentcache.service");

  @TempDir Path dir;

  @Test
  void unitsVerifyWithoutWarnings() throws Exception {
    Path project = Command.projectDir();
    List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify"));
    for (String unit : UNITS) {
      String text = Files.readString(project.resolve("systemd").resolve(unit));
      assertThat(text).contains("ExecStart=/opt/strata/bin/strata ");
      Files.writeString(
          dir.resolve(unit), Command.rebase(text, project + "/daemon/", "/etc/strata/"));
      command.add("./" + unit);
    }
    Command verify = Command.run(dir, Map.of(), command);
    assertThat(verify.err() + verify.out()).isEmpty();
    assertThat(verify.status()).isZero();
  }

  @Test
  void verifyReportsABrokenUnit() throws Exception {
    // the check above is only worth something if verify complains about mistakes here
    Path project = Command.projectDir();
    String text = Files.readString(project.resolve("systemd/strata.service"));
    Files.writeString(
        dir.resolve("strata.service"),
        Command.rebase(text, project + "/daemon/", "/etc/strata/")
            .replace("Restart=on-failure", "Restart=on-failure\nRestartt=always"));
    Command verify =
        Command.run(dir, Map.of(), List.of("systemd-analyze", "verify", "./strata.service"));
    assertThat(verify.err()).contains("Unknown key 'Restartt'");
  }

  @Test
  void theDaemonUnitSignalsReadinessAndStaysOnTheHostMountNamespace() throws Exception {
    String text = Files.readString(Command.projectDir().resolve("systemd/strata.service"));
    List<String> directives = text.lines().filter(l -> !l.startsWith("#")).toList();
    assertThat(directives)
        .contains(
            "Type=notify",
            "NotifyAccess=all",
            "Restart=on-failure",
            "ExecStart=/opt/strata/bin/strata daemon --config /etc/strata/strata.yaml",
            "ExecStopPost=/opt/strata/bin/strata-unmount-stale",
            "DeviceAllow=/dev/fuse rw",
            "StateDirectory=strata");
    assertThat(directives)
        .anyMatch(l -> l.startsWith("Before=") && l.contains("containerd.service"));
    // each of these would give the daemon its own mount namespace: its mounts would not reach
    // the host (systemd.exec(5), MountFlags=)
    for (String namespacing :
        List.of(
            "ProtectSystem=",
            "ProtectHome=",
            "PrivateTmp=",
            "PrivateDevices=",
            "PrivateMounts=",
            "ProtectKernelTunables=",
            "ProtectControlGroups=",
            "ReadWritePaths=",
            "MemoryDenyWriteExecute=")) {
      assertThat(directives).noneMatch(l -> l.startsWith(namespacing));
    }
  }
}
