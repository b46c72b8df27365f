package dev.strata.cli;

import dev.strata.config.StrataConfig;
import dev.strata.daemon.Daemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code strata daemon [--config FILE] [--admin-listen HOST:PORT]}: the long-running service. The
 * configuration is {@code --config FILE}, else {@code /etc/strata/strata.yaml} when it exists, else
 * the built-in defaults; the global options given override it.
 */
@Command(
    name = "daemon",
    mixinStandardHelpOptions = true,
    description =
        "Run the daemon: keep the configured mounts mounted, serve the admin HTTP endpoints,"
            + " publish to the ContentCache; stop cleanly on SIGTERM.")
final class DaemonCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Option(
      names = "--admin-listen",
      paramLabel = "HOST:PORT",
      description = "Where the admin HTTP server listens (default: admin.listen, 127.0.0.1:7311).")
  String adminListen;

  @Override
  public Integer call() throws Exception {
    Path file = root.global.config;
    if (file == null && Files.isRegularFile(StrataConfig.SYSTEM_FILE)) {
      file = StrataConfig.SYSTEM_FILE;
    }
    StrataConfig base = file != null ? StrataConfig.load(file) : StrataConfig.defaults();
    StrataConfig config = base.withOverrides(root.global.overrides(adminListen));
    Logging.setLevel(config.logLevel());
    org.slf4j.LoggerFactory.getLogger(DaemonCommand.class)
        .info(
            "strata daemon starting with {}",
            file != null ? "configuration " + file : "the built-in defaults");
    return Daemon.run(config);
  }
}
