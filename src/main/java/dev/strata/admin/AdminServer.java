package dev.strata.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.strata.config.HostPort;
import dev.strata.history.HistoryException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's admin HTTP server (JDK {@link HttpServer}, a virtual thread per request):
 *
 * <ul>
 *   <li>{@code GET /history?q=&page=&page_size=&sortby=&order=}: the {@code strata history} table,
 *       {@code text/plain; charset=utf-8}; 400 naming the valid values for a bad parameter
 *   <li>{@code GET /metrics}: Prometheus text format 0.0.4
 *   <li>{@code GET /healthz}: 200 {@code ok}, or 503 with one reason a line
 * </ul>
 *
 * Other paths are 404, other methods 405. It listens where it is told; the configuration's default
 * is loopback, so exposing it is the operator's explicit choice.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  static final String TEXT = "text/plain; charset=utf-8";
  static final String METRICS = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;
  private final HistoryPage history;
  private final Supplier<String> metrics;
  private final Supplier<Health> health;
  private final Map<String, ControlEndpoint> controls;

  private AdminServer(
      HttpServer server,
      Path stateDir,
      Supplier<String> metrics,
      Supplier<Health> health,
      Map<String, ControlEndpoint> controls) {
    this.server = server;
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    this.history = new HistoryPage(stateDir);
    this.metrics = metrics;
    this.health = health;
    this.controls = Map.copyOf(controls);
  }

  /**
   * Binds {@code listen} and starts serving.
   *
   * @param stateDir where {@code history.db} is (it need not exist yet)
   * @param metrics the {@code /metrics} text, e.g. {@code StrataMetrics.global()::scrape}
   * @param health the state {@code /healthz} reports
   * @throws IOException when the address cannot be bound (in use, not local)
   */
  public static AdminServer start(
      HostPort listen, Path stateDir, Supplier<String> metrics, Supplier<Health> health)
      throws IOException {
    return start(listen, stateDir, metrics, health, Map.of());
  }

  /**
   * As {@link #start(HostPort, Path, Supplier, Supplier)}, with control endpoints by path (e.g.
   * {@code /mounts}), answered to loopback clients only.
   */
  public static AdminServer start(
      HostPort listen,
      Path stateDir,
      Supplier<String> metrics,
      Supplier<Health> health,
      Map<String, ControlEndpoint> controls)
      throws IOException {
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(listen.bareHost(), listen.port()), 64);
    } catch (IOException e) {
      throw new IOException("cannot listen on " + listen + " (admin HTTP): " + e.getMessage(), e);
    }
    AdminServer admin = new AdminServer(http, stateDir, metrics, health, controls);
    http.setExecutor(admin.executor);
    http.createContext("/", admin::handle);
    http.start();
    return admin;
  }

  /** The bound address (its port when 0 was asked for). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      route(exchange);
    } catch (RuntimeException e) {
      log.warn("admin request {} failed", exchange.getRequestURI().getPath(), e);
      if (exchange.getResponseCode() < 0) { // nothing sent yet: say so rather than hang up
        send(exchange, 500, TEXT, "internal error: " + e.getMessage() + "\n");
      }
    } finally {
      exchange.close();
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    ControlEndpoint control = controls.get(path);
    if (control != null) {
      control(exchange, control);
      return;
    }
    if (!path.equals("/history") && !path.equals("/metrics") && !path.equals("/healthz")) {
      send(exchange, 404, TEXT, "not found: " + path + " (try /history, /metrics, /healthz)\n");
      return;
    }
    if (!exchange.getRequestMethod().equals("GET")) {
      exchange.getResponseHeaders().set("Allow", "GET");
      send(exchange, 405, TEXT, exchange.getRequestMethod() + " not allowed: use GET\n");
      return;
    }
    switch (path) {
      case "/history" -> history(exchange);
      case "/metrics" -> send(exchange, 200, METRICS, metrics.get());
      default -> healthz(exchange);
    }
  }

  private static void control(HttpExchange exchange, ControlEndpoint control) throws IOException {
    if (!exchange.getRemoteAddress().getAddress().isLoopbackAddress()) {
      send(exchange, 403, TEXT, "control endpoints answer loopback clients only\n");
      return;
    }
    ControlEndpoint.Reply reply;
    try (var in = exchange.getRequestBody()) {
      Map<String, String> query = QueryString.parse(exchange.getRequestURI().getRawQuery());
      reply = control.handle(exchange.getRequestMethod(), query, in.readAllBytes());
    } catch (IllegalArgumentException e) {
      reply = ControlEndpoint.Reply.text(400, e.getMessage());
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      reply = ControlEndpoint.Reply.text(500, e.toString());
    }
    if (reply.status() == 405) {
      exchange.getResponseHeaders().set("Allow", "GET, POST, DELETE");
    }
    send(exchange, reply.status(), reply.contentType(), reply.body());
  }

  private void history(HttpExchange exchange) throws IOException {
    String body;
    try {
      Map<String, String> params = QueryString.parse(exchange.getRequestURI().getRawQuery());
      body = history.render(params);
    } catch (HistoryException e) {
      send(exchange, 500, TEXT, "cannot read the history: " + e.getMessage() + "\n");
      return;
    } catch (IllegalArgumentException e) {
      send(exchange, 400, TEXT, e.getMessage() + "\n");
      return;
    }
    send(exchange, 200, TEXT, body);
  }

  private void healthz(HttpExchange exchange) throws IOException {
    Health state;
    try {
      state = health.get();
    } catch (RuntimeException e) {
      state = Health.unhealthy(java.util.List.of("the health check failed: " + e));
    }
    if (state == null) {
      state = Health.unhealthy(java.util.List.of("the health check gave no answer"));
    }
    if (state.ok()) {
      send(exchange, 200, TEXT, "ok\n");
    } else {
      send(exchange, 503, TEXT, String.join("\n", state.problems()) + "\n");
    }
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops listening, lets requests in flight finish for up to a second. */
  @Override
  public void close() {
    server.stop(1);
    executor.close();
  }
}
