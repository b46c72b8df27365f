package dev.strata.contentcache.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@code GET /metrics} in the Prometheus text format, on a small JDK HTTP server. */
public final class MetricsHttpServer implements AutoCloseable {
  private final HttpServer http;
  private final ExecutorService executor;

  private MetricsHttpServer(HttpServer http, ExecutorService executor) {
    this.http = http;
    this.executor = executor;
  }

  public static MetricsHttpServer start(InetSocketAddress address, ContentCacheMetrics metrics)
      throws IOException {
    HttpServer http = HttpServer.create(address, 0);
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    http.setExecutor(executor);
    http.createContext("/metrics", exchange -> serve(exchange, metrics));
    http.start();
    return new MetricsHttpServer(http, executor);
  }

  private static void serve(HttpExchange exchange, ContentCacheMetrics metrics) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("GET")
          || !exchange.getRequestURI().getPath().equals("/metrics")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", PrometheusTextFormatWriter.CONTENT_TYPE);
      exchange.sendResponseHeaders(200, 0);
      try (OutputStream body = exchange.getResponseBody()) {
        metrics.writeText(body);
      }
    }
  }

  public InetSocketAddress address() {
    return http.getAddress();
  }

  @Override
  public void close() {
    http.stop(0);
    executor.shutdownNow();
  }
}
