package dev.strata.cli;

import dev.strata.registry.ImageRef;
import dev.strata.registry.RegistryClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code strata tags REPOSITORY}: every tag, one per line. */
@Command(name = "tags", mixinStandardHelpOptions = true, description = "List a repository's tags.")
final class TagsCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "REPOSITORY", description = "e.g. 127.0.0.1:5000/app")
  String repository;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryClient client = root.global.registryClient()) {
      client.tags(ImageRef.parseRepository(repository)).forEach(out::println);
    }
    out.flush();
    return 0;
  }
}
