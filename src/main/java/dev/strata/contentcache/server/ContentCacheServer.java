package dev.strata.contentcache.server;

import dev.strata.contentcache.v1.ContentCacheGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A running ContentCache: the store, references and leases on {@code options.dir()}, the service
 * with its token check and metrics, and the standard gRPC health service, on whatever transport the
 * given {@link ServerBuilder} speaks (in-process in tests, Netty sockets for real, see {@link
 * SocketServers}). Handlers run on virtual threads.
 */
public final class ContentCacheServer implements AutoCloseable {
  private static final long GRACE_SECONDS = 10;

  private final Server server;
  private final ExecutorService executor;
  private final HealthStatusManager health;
  private final ContentStore store;
  private final ContentCacheMetrics metrics;

  private ContentCacheServer(
      Server server,
      ExecutorService executor,
      HealthStatusManager health,
      ContentStore store,
      ContentCacheMetrics metrics) {
    this.server = server;
    this.executor = executor;
    this.health = health;
    this.store = store;
    this.metrics = metrics;
  }

  /** Opens the store and starts serving; the builder must not have been built yet. */
  public static ContentCacheServer start(ServerBuilder<?> builder, ServerOptions options)
      throws IOException {
    ContentStore store = ContentStore.open(options.dir(), options.maxBytes(), options.clock());
    ReferenceStore references = ReferenceStore.open(options.dir());
    ContentCacheMetrics metrics = new ContentCacheMetrics(store);
    ContentCacheService service =
        new ContentCacheService(
            store,
            references,
            new LeaseTable(options.clock()),
            new HotRanges(options.memoryBytes()),
            metrics);
    HealthStatusManager health = new HealthStatusManager();
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    builder.executor(executor).addService(service).addService(health.getHealthService());
    // run in reverse order of adding: metrics first, so refused calls are counted too
    options.token().ifPresent(token -> builder.intercept(new BearerTokenInterceptor(token)));
    builder.intercept(new MetricsInterceptor(metrics));
    Server server;
    try {
      server = builder.build().start();
    } catch (IOException | RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(ContentCacheGrpc.SERVICE_NAME, ServingStatus.SERVING);
    return new ContentCacheServer(server, executor, health, store, metrics);
  }

  /** The bound port of a socket server (the real one when asked for port 0); -1 in-process. */
  public int port() {
    return server.getPort();
  }

  public List<? extends SocketAddress> listenSockets() {
    return server.getListenSockets();
  }

  public ContentStore store() {
    return store;
  }

  public ContentCacheMetrics metrics() {
    return metrics;
  }

  /** Blocks until the server has terminated (after {@link #close()} from another thread). */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Stops taking calls, lets running ones finish for a grace period, then cancels the rest. Uploads
   * cut short leave nothing behind (their temporary files are dropped, or cleaned at next start).
   */
  @Override
  public void close() {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(GRACE_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      executor.shutdownNow();
    }
  }
}
