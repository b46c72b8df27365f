package dev.strata.cli;

import dev.strata.extract.Extractor;
import dev.strata.history.HumanSize;
import dev.strata.image.Node;
import dev.strata.registry.RegistryClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code strata get IMAGE PATTERN… -o DIR}: extracts files lazily, with range reads only. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    description = {
      "Extract matching files and directories of an image, reading only the byte ranges they need.",
      "PATTERN is a glob over paths from the root (/etc/os-release, 'usr/lib/**/*.so');"
          + " a matching directory brings its whole subtree. A rerun skips files already complete."
    })
final class GetCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE")
  String image;

  @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATTERN")
  List<String> patterns;

  @Option(
      names = {"-o", "--output"},
      required = true,
      paramLabel = "DIR")
  Path output;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      description = "Files fetched at once (default ${DEFAULT-VALUE}).")
  int concurrency = 8;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    var contentCache = root.global.contentCacheClient();
    try (RegistryClient client = root.global.registryClient(contentCache)) {
      LoadedImage loaded = LoadedImage.load(root.global, client, contentCache, image);
      Extractor extractor =
          new Extractor(
              loaded.tree(),
              loaded.content(root.global, client, contentCache),
              output,
              concurrency);
      List<Node> nodes = extractor.select(patterns);
      if (nodes.isEmpty()) {
        throw new IllegalStateException(
            "nothing in " + image + " matches " + String.join(" ", patterns));
      }
      long total = nodes.stream().filter(Node::isRegularFile).mapToLong(Node::size).sum();
      Extractor.Result result;
      try (Progress progress = Progress.start(root.global, "get", total, "B")) {
        result = extractor.extract(nodes, (node, written) -> progress.stepBy(node.size()));
      }
      out.printf(
          "extracted %d entries to %s: %d files written (%s), %d already complete%n",
          result.entries(),
          output,
          result.filesWritten(),
          HumanSize.format(result.bytesWritten()),
          result.filesSkipped());
    } finally {
      contentCache.ifPresent(dev.strata.contentcache.client.ContentCacheClient::close);
    }
    out.flush();
    return 0;
  }
}
