package dev.strata.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.config.HostPort;
import dev.strata.metrics.StrataMetrics;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Control endpoints of the admin server: handed the request, and loopback clients only. */
class ControlEndpointTest {
  @TempDir Path stateDir;

  private final AtomicReference<String> seen = new AtomicReference<>();
  private final HttpClient client = HttpClient.newHttpClient();
  private AdminServer server;

  @BeforeEach
  void start() throws Exception {
    ControlEndpoint echo =
        (method, query, body) -> {
          if (query.containsKey("fail")) {
            throw new IllegalArgumentException("bad request: " + query.get("fail"));
          }
          seen.set(method + " " + query + " " + new String(body, StandardCharsets.UTF_8));
          return ControlEndpoint.Reply.text(201, "done");
        };
    // every address: a client on another interface reaches it, and must be refused
    server =
        AdminServer.start(
            new HostPort("0.0.0.0", 0),
            stateDir,
            new StrataMetrics()::scrape,
            Health::healthy,
            Map.of("/mounts", echo));
  }

  @AfterEach
  void stop() {
    server.close();
    client.close();
  }

  HttpResponse<String> send(String host, String method, String pathAndQuery, String body)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://" + host + ":" + server.address().getPort() + pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aLoopbackClientReachesTheEndpointWithMethodQueryAndBody() throws Exception {
    HttpResponse<String> r = send("127.0.0.1", "POST", "/mounts?x=a%20b", "{\"image\":\"i\"}");
    assertThat(r.statusCode()).isEqualTo(201);
    assertThat(r.body()).isEqualTo("done\n");
    assertThat(seen.get()).isEqualTo("POST {x=a b} {\"image\":\"i\"}");
  }

  @Test
  void anIllegalArgumentIsA400WithItsMessage() throws Exception {
    HttpResponse<String> r = send("127.0.0.1", "DELETE", "/mounts?fail=why", "");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("bad request: why\n");
  }

  @Test
  void aClientOnAnotherInterfaceIsRefused() throws Exception {
    Optional<InetAddress> other =
        NetworkInterface.networkInterfaces()
            .flatMap(NetworkInterface::inetAddresses)
            .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
            .findFirst();
    // a machine without one cannot be reached from elsewhere either; every CI host here has one
    assertThat(other).as("a non-loopback IPv4 address on this host").isPresent();
    HttpResponse<String> r = send(other.get().getHostAddress(), "POST", "/mounts", "{}");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("loopback");
    assertThat(seen.get()).isNull();
    // the read-only endpoints stay open to it
    assertThat(send(other.get().getHostAddress(), "GET", "/healthz", "").statusCode())
        .isEqualTo(200);
  }
}
