package dev.strata.cli;

import dev.strata.registry.RegistryClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code strata catalog REGISTRY}: every repository, one per line. */
@Command(
    name = "catalog",
    mixinStandardHelpOptions = true,
    description = "List a registry's repositories.")
final class CatalogCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "REGISTRY", description = "e.g. 127.0.0.1:5000")
  String registry;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryClient client = root.global.registryClient()) {
      client.catalog(registry).forEach(out::println);
    }
    out.flush();
    return 0;
  }
}
