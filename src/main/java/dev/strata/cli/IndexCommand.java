package dev.strata.cli;

import dev.strata.cachewriter.ClusterIndexes;
import dev.strata.cachewriter.NodeIdentity;
import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.history.HistoryDb;
import dev.strata.history.HumanSize;
import dev.strata.history.LayerRecord;
import dev.strata.index.ImageIndexer;
import dev.strata.index.IndexSharing;
import dev.strata.index.IndexStore;
import dev.strata.index.LayerIndexer;
import dev.strata.registry.ImageManifest;
import dev.strata.registry.LayerDescriptor;
import dev.strata.registry.RegistryClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
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

  /** How long to wait for another node that is indexing a layer before indexing it here. */
  static final Duration SHARED_BUILD_WAIT = Duration.ofMinutes(10);

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Optional<ContentCacheClient> contentCache = root.global.contentCacheClient();
    try (RegistryClient client = root.global.registryClient(contentCache)) {
      ImageManifest manifest = client.resolve(root.global.image(image), root.global.platform());
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
    IndexStore store = new IndexStore(global.stateDir());
    dev.strata.read.DiskSpanTier spanCache =
        new dev.strata.read.DiskSpanTier(global.cacheDir(), global.cacheMaxBytes());
    IndexSharing sharing =
        contentCache
            .<IndexSharing>map(
                cache -> new ClusterIndexes(cache, NodeIdentity.current(), SHARED_BUILD_WAIT))
            .orElse(IndexSharing.NONE);
    ImageIndexer indexer = new ImageIndexer(client, store, spanSize, 2, sharing);
    long total = manifest.compressedSize();
    try (Progress progress = Progress.start(global, "index", total, "B");
        HistoryDb history = HistoryDb.open(global.stateDir())) {
      java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
      List<ImageIndexer.LayerResult> results =
          indexer.ensure(
              manifest,
              new ImageIndexer.Listener() {
                @Override
                public LayerIndexer.Observer building(LayerDescriptor layer) {
                  return new LayerIndexer.Observer() {
                    long seen;

                    @Override
                    public void compressedProgress(long bytesRead) {
                      progress.stepTo(done.addAndGet(bytesRead - seen));
                      seen = bytesRead;
                    }

                    @Override
                    public boolean wantsSpans() {
                      return true;
                    }

                    // The pass decompresses every span anyway: keep them, so that reading
                    // after indexing costs the registry nothing more.
                    @Override
                    public void span(int index, byte[] bytes) throws java.io.IOException {
                      spanCache.put(layer.digest(), index, bytes);
                    }
                  };
                }
              });
      Instant now = Instant.now();
      for (ImageIndexer.LayerResult r : results) {
        history.record(
            LayerRecord.of(manifest.ref(), r.layer(), now)
                .withIndexStats(r.index().entries().size(), r.index().spanCount(), r.indexBytes()));
      }
      return results;
    }
  }
}
