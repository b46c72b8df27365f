package dev.strata.cli;

import dev.strata.contentcache.server.ContentCacheServer;
import dev.strata.contentcache.server.MetricsHttpServer;
import dev.strata.contentcache.server.ServerOptions;
import dev.strata.contentcache.server.SocketServers;
import dev.strata.history.HumanSize;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code strata contentcache}: the cluster ContentCache (tier 2 of the read path). */
@Command(
    name = "contentcache",
    mixinStandardHelpOptions = true,
    description = "The cluster ContentCache: decompressed layers and layer indexes over gRPC.",
    subcommands = {ContentCacheCommand.Serve.class})
final class ContentCacheCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command (serve)");
  }

  /**
   * {@code strata contentcache serve}: serves in the foreground until SIGTERM/SIGINT. Prints {@code
   * listening HOST:PORT} on stdout once it answers (the real port when given port 0).
   */
  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description = "Run a ContentCache server in the foreground until SIGTERM or SIGINT.")
  static final class Serve implements Callable<Integer> {
    static final long DEFAULT_MAX_BYTES = 50L << 30;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--listen",
        required = true,
        paramLabel = "HOST:PORT",
        description = "Address to serve gRPC on ([::1]:PORT for IPv6; port 0 picks a free one).")
    String listen;

    @Option(
        names = "--dir",
        required = true,
        paramLabel = "DIR",
        description = "Where content, references and uploads in progress live.")
    Path dir;

    @Option(
        names = "--max-bytes",
        paramLabel = "N",
        converter = ByteSizeConverter.class,
        description =
            "Bound of the content on disk, least recently used evicted first (e.g. 200G;"
                + " default 50 GiB, but at most 80%% of the file system holding DIR).")
    Long maxBytes;

    @Option(
        names = "--memory-bytes",
        paramLabel = "N",
        converter = ByteSizeConverter.class,
        description = "In-memory cache of recently read ranges; 0 turns it off (default 256M).")
    long memoryBytes = ServerOptions.DEFAULT_MEMORY_BYTES;

    @Option(
        names = "--token-file",
        paramLabel = "FILE",
        description = "Refuse calls without 'authorization: Bearer <the token in FILE>'.")
    Path tokenFile;

    @Option(
        names = "--tls-cert",
        paramLabel = "FILE",
        description = "PEM certificate chain: serve TLS (with --tls-key).")
    Path tlsCert;

    @Option(
        names = "--tls-key",
        paramLabel = "FILE",
        description = "PEM private key (PKCS#8) of --tls-cert.")
    Path tlsKey;

    @Option(
        names = "--metrics-listen",
        paramLabel = "HOST:PORT",
        description = "Serve Prometheus metrics at http://HOST:PORT/metrics.")
    String metricsListen;

    @Override
    public Integer call() throws Exception {
      InetSocketAddress address = SocketServers.parseAddress(listen);
      Files.createDirectories(dir);
      ServerOptions options =
          ServerOptions.of(dir, maxBytes != null ? maxBytes : defaultMaxBytes(dir))
              .withMemoryBytes(memoryBytes);
      if (tokenFile != null) {
        options = options.withToken(readToken(tokenFile));
      }
      ContentCacheServer server =
          ContentCacheServer.start(SocketServers.forAddress(address, credentials()), options);
      MetricsHttpServer metrics = null;
      try {
        if (metricsListen != null) {
          metrics =
              MetricsHttpServer.start(SocketServers.parseAddress(metricsListen), server.metrics());
        }
      } catch (IOException | RuntimeException e) {
        server.close();
        throw e;
      }
      MetricsHttpServer metricsToClose = metrics;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    if (metricsToClose != null) {
                      metricsToClose.close();
                    }
                    server.close();
                    System.err.println("contentcache stopped");
                  },
                  "contentcache-shutdown"));
      announce(server, options, metrics);
      server.awaitTermination();
      return 0;
    }

    private void announce(
        ContentCacheServer server, ServerOptions options, MetricsHttpServer metrics) {
      InetSocketAddress bound =
          new InetSocketAddress(SocketServers.parseAddress(listen).getAddress(), server.port());
      String where = SocketServers.format(bound);
      PrintWriter err = spec.commandLine().getErr();
      err.printf(
          "contentcache serving on %s (dir %s, max %s, memory %s%s%s%s)%n",
          where,
          options.dir(),
          HumanSize.format(options.maxBytes()),
          HumanSize.format(options.memoryBytes()),
          tlsCert != null ? ", TLS" : "",
          options.token().isPresent() ? ", token required" : "",
          metrics != null ? ", metrics on " + SocketServers.format(metrics.address()) : "");
      err.flush();
      PrintWriter out = spec.commandLine().getOut();
      out.println("listening " + where);
      out.flush();
    }

    private ServerCredentials credentials() throws IOException {
      if ((tlsCert == null) != (tlsKey == null)) {
        throw new IllegalArgumentException("--tls-cert and --tls-key go together");
      }
      if (tlsCert == null) {
        return InsecureServerCredentials.create();
      }
      return TlsServerCredentials.create(tlsCert.toFile(), tlsKey.toFile());
    }

    private static String readToken(Path file) throws IOException {
      String token = Files.readString(file).trim();
      if (token.isEmpty()) {
        throw new IllegalArgumentException("token file " + file + " is empty");
      }
      return token;
    }

    /** 50 GiB, or 80% of the file system's size when that is smaller. */
    static long defaultMaxBytes(Path dir) throws IOException {
      long total = Files.getFileStore(dir).getTotalSpace();
      return Math.min(DEFAULT_MAX_BYTES, total / 10 * 8);
    }
  }
}
