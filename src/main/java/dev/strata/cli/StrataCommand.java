package dev.strata.cli;

import picocli.CommandLine.Command;

/** The top-level command; every subcommand inherits {@link GlobalOptions}. */
@Command(
    name = "strata",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Mounts OCI/Docker container images as read-only directories, read on demand.",
    subcommands = {
      InfoCommand.class,
      IndexCommand.class,
      LsCommand.class,
      GetCommand.class,
      MountCommand.class,
      UmountCommand.class,
      HistoryCommand.class,
      PushCommand.class,
      TagsCommand.class,
      CatalogCommand.class,
      ContentCacheCommand.class,
      DaemonCommand.class,
      CompletionCommand.class,
    })
final class StrataCommand implements Runnable {
  @picocli.CommandLine.Mixin GlobalOptions global;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command");
  }
}
