package dev.strata.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.strata.metrics.StrataMetrics;
import dev.strata.registry.auth.CredentialSource;
import dev.strata.registry.auth.TokenCache;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** Registry requests are counted by status, retries and network errors too (a real HTTP server). */
class RegistryHttpMetricsTest {
  private static final StrataMetrics M = StrataMetrics.global();
  private static final CredentialSource NO_CREDENTIALS = registry -> Optional.empty();

  private static RegistryHttp http() {
    RetryPolicy fast =
        new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(1));
    return new RegistryHttp(
        new OkHttpClient(),
        NO_CREDENTIALS,
        fast,
        d -> {},
        Set.of(),
        new TokenCache(Clock.systemUTC()));
  }

  private static double requests(String status) {
    return M.registryRequests().labelValues(status).get();
  }

  @Test
  void responsesAreCountedByStatusAndRetriesCounted() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/v2/",
        exchange -> {
          int code = calls.incrementAndGet() <= 2 ? 503 : 200;
          exchange.sendResponseHeaders(code, -1);
          exchange.close();
        });
    server.start();
    try {
      double ok = requests("200");
      double unavailable = requests("503");
      double retries = M.registryRetries().get();
      String registry = "127.0.0.1:" + server.getAddress().getPort();
      RegistryHttp http = http();
      Request request = new Request.Builder().url(http.url(registry, "/v2/")).build();
      try (Response response =
          http.send(registry, new Scope("registry", "catalog", "*"), request, true)) {
        assertThat(response.code()).isEqualTo(200);
      }
      assertThat(requests("503") - unavailable).isEqualTo(2);
      assertThat(requests("200") - ok).isEqualTo(1);
      assertThat(M.registryRetries().get() - retries).isEqualTo(2);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void connectionFailuresAreCountedAsNetworkErrors() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort(); // closed again: nothing listens there
    }
    double errors = requests("network_error");
    String registry = "127.0.0.1:" + port;
    RegistryHttp http = http();
    Request request = new Request.Builder().url(http.url(registry, "/v2/")).build();
    assertThatThrownBy(
            () -> http.send(registry, new Scope("registry", "catalog", "*"), request, true))
        .isInstanceOf(RegistryException.class);
    assertThat(requests("network_error") - errors).isEqualTo(3); // first try and two retries
  }
}
