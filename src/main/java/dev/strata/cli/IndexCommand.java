package dev.strata.cli;

import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.history.HumanSize;
import dev.strata.index.ImageIndexer;
import dev.strata.index.LayerIndexer;
import dev.strata.registry.ImageManifest;
import dev.strata.registry.RegistryClient;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code strata index IMAGE}: makes sure every layer has an index, and says what each holds. */
@Command(
    name = "index",
    mixinStandardHelpOptions = true,
    description =
        "Index every layer of an image (one streaming pass per layer; stored indexes are reused).")
final class IndexCommand implements Callable<Integer> {
  @ParentCommand StrataCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "IMAGE")
  String image;

  @Option(
      names = "--span-size",
      paramLabel = "BYTES",
      description = "Uncompressed bytes between checkpoints (default ${DEFAULT-VALUE}).")
  long spanSize = LayerIndexer.DEFAULT_SPAN_TARGET;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Optional<ContentCacheClient> contentCache = root.global.contentCacheClient();
    try (RegistryClient client = root.global.registryClient(contentCache)) {
      ImageManifest manifest =
          root.global.node(contentCache).resolve(client, root.global.image(image));
      List<ImageIndexer.LayerResult> results =
          indexImage(root.global, client, contentCache, manifest, spanSize);
      String format = "%-5s  %-19s  %9s  %7s  %10s  %9s  %s%n";
      out.printf(format, "LAYER", "DIGEST", "ENTRIES", "SPANS", "INDEX", "SIZE", "THROUGHPUT");
      for (ImageIndexer.LayerResult r : results) {
        out.printf(
            format,
            r.layer().index(),
            r.layer().digest().algorithm() + ":" + r.layer().digest().shortHex(),
            r.index().entries().size(),
            r.index().spanCount(),
            HumanSize.format(r.indexBytes()),
            HumanSize.format(r.layer().size()),
            switch (r.source()) {
              case BUILT -> HumanSize.format((long) r.throughput()) + "/s";
              case SHARED -> "contentcache";
              case LOCAL -> "stored";
            });
      }
    } finally {
      contentCache.ifPresent(ContentCacheClient::close);
    }
    out.flush();
    return 0;
  }

  /** Indexes (or finds) every layer, with progress, and records each layer in the history. */
  static List<ImageIndexer.LayerResult> indexImage(
      GlobalOptions global,
      RegistryClient client,
      Optional<ContentCacheClient> contentCache,
      ImageManifest manifest,
      long spanSize)
      throws Exception {
    try (Progress progress = Progress.start(global, "index", manifest.compressedSize(), "B")) {
      return global.node(contentCache).index(client, manifest, spanSize, progress::stepTo);
    }
  }
}
