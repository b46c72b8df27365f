package dev.strata.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/install} into a staging root gives a working installation (the installed launcher
 * runs from the installed jar), and {@code scripts/uninstall} takes it away again, keeping only the
 * configuration unless told {@code --purge}.
 */
class InstallIT {
  @TempDir Path root;

  private Command script(String name, String... args) throws Exception {
    Path project = Command.projectDir();
    List<String> command =
        Stream.concat(
                Stream.of(project.resolve("scripts").resolve(name).toString()), Stream.of(args))
            .toList();
    String build = Path.of(System.getProperty("strata.jar")).getParent().toString();
    return Command.run(
            project,
            Map.of("STRATA_INSTALL_ROOT", root.toString(), "STRATA_BUILD_DIR", build),
            command)
        .requireSuccess();
  }

  @Test
  void installsTheLayoutAndUninstallKeepsOnlyTheConfiguration() throws Exception {
    script("install");

    Path strata = root.resolve("opt/strata/bin/strata");
    assertThat(strata).isExecutable();
    assertThat(root.resolve("opt/strata/bin/strata-unmount-stale")).isExecutable();
    assertThat(root.resolve("opt/strata/lib/strata.jar")).isRegularFile();
    try (Stream<Path> libs = Files.list(root.resolve("opt/strata/lib/lib"))) {
      assertThat(libs.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("picocli-"));
    }
    assertThat(Files.readSymbolicLink(root.resolve("usr/local/bin/strata")))
        .isEqualTo(Path.of("../../../opt/strata/bin/strata"));
    assertThat(root.resolve("etc/strata/strata.yaml"))
        .hasSameTextualContentAs(Command.projectDir().resolve("daemon/conf/strata.yaml"));
    assertThat(root.resolve("etc/strata/contentcache.env")).isRegularFile();
    Path token = root.resolve("etc/strata/contentcache.token");
    assertThat(Files.readString(token)).matches("[0-9a-f]{64}");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(token)))
        .isEqualTo("rw-------");
    assertThat(root.resolve("etc/systemd/system/strata.service")).isRegularFile();
    assertThat(root.resolve("etc/systemd/system/strata-contentcache.service")).isRegularFile();

    // the installed launcher, through the symlink, runs the installed jar
    Command version =
        Command.run(
                root,
                Map.of(),
                List.of(root.resolve("usr/local/bin/strata").toString(), "--version"))
            .requireSuccess();
    assertThat(version.out()).contains("strata");

    verifyInstalledUnits();

    // a second install keeps the operator's configuration and token
    Files.writeString(root.resolve("etc/strata/strata.yaml"), "log_level: debug\n");
    String tokenBefore = Files.readString(token);
    assertThat(script("install").out()).contains("kept the existing");
    assertThat(root.resolve("etc/strata/strata.yaml")).hasContent("log_level: debug");
    assertThat(token).hasContent(tokenBefore);

    Command uninstall = script("uninstall");
    assertThat(uninstall.out()).contains("kept " + root.resolve("etc/strata")).contains("--purge");
    assertThat(remaining())
        .containsExactlyInAnyOrder(
            "etc/strata/strata.yaml",
            "etc/strata/contentcache.env",
            "etc/strata/contentcache.token");
  }

  @Test
  void purgeRemovesConfigurationAndState() throws Exception {
    script("install");
    Files.createDirectories(root.resolve("var/lib/strata/cache"));
    Files.writeString(root.resolve("var/lib/strata/history.db"), "x");
    assertThat(script("uninstall", "--purge").out()).contains("its configuration and its state");
    assertThat(remaining()).isEmpty();
  }

  /** The installed units, their paths rebased into the staging root, pass systemd-analyze. */
  private void verifyInstalledUnits() throws Exception {
    Path units = Files.createDirectories(root.resolve("verify"));
    for (String unit : List.of("strata.service", "strata-contentcache.service")) {
      String text = Files.readString(root.resolve("etc/systemd/system").resolve(unit));
      Files.writeString(
          units.resolve(unit), Command.rebase(text, root + "/opt/strata/", root + "/etc/strata/"));
    }
    Command verify =
        Command.run(
            units,
            Map.of(),
            List.of(
                "systemd-analyze", "verify", "./strata.service", "./strata-contentcache.service"));
    assertThat(verify.err() + verify.out()).isEmpty();
    Files.delete(units.resolve("strata.service"));
    Files.delete(units.resolve("strata-contentcache.service"));
    Files.delete(units);
  }

  /** Regular files and symlinks left under the root. */
  private List<String> remaining() throws Exception {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> !Files.isDirectory(p))
          .map(p -> root.relativize(p).toString())
          .toList();
    }
  }
}
