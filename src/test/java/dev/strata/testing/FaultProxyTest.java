package dev.strata.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** FaultProxy and log parsing against in-process upstreams (no registry needed). */
class FaultProxyTest {
  private final OkHttpClient http =
      new OkHttpClient.Builder().retryOnConnectionFailure(false).build();

  @Test
  void relaysChunkedUpstreamResponses() throws IOException {
    HttpServer upstream = HttpServer.create(new InetSocketAddress(TestDirs.loopback(), 0), 0);
    upstream.createContext(
        "/chunked",
        ex -> {
          ex.sendResponseHeaders(200, 0); // 0 = chunked
          try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < 50; i++) {
              out.write(("line " + i + "\n").getBytes(StandardCharsets.US_ASCII));
              out.flush();
            }
          }
        });
    upstream.start();
    try (FaultProxy proxy = FaultProxy.start("127.0.0.1:" + upstream.getAddress().getPort())) {
      try (Response r =
          http.newCall(new Request.Builder().url("http://" + proxy.hostPort() + "/chunked").build())
              .execute()) {
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(r.header("Connection")).isEqualTo("close");
        String body = r.body().string();
        assertThat(body).startsWith("line 0\n").endsWith("line 49\n");
      }
    } finally {
      upstream.stop(0);
    }
  }

  @Test
  void answers502WhenUpstreamIsDown() throws IOException {
    int deadPort = TestDirs.freeLoopbackPort();
    try (FaultProxy proxy = FaultProxy.start("127.0.0.1:" + deadPort)) {
      try (Response r =
          http.newCall(new Request.Builder().url("http://" + proxy.hostPort() + "/v2/").build())
              .execute()) {
        assertThat(r.code()).isEqualTo(502);
      }
      assertThat(proxy.requestLog()).containsExactly("GET /v2/");
    }
  }

  @Test
  void parsesRegistryAccessLogLines() {
    Optional<RegistryServer.AccessLogEntry> e =
        RegistryServer.parseAccessLine(
            "127.0.0.1 - - [21/Nov/2026:14:07:37 +0000] \"GET /v2/foo/blobs/sha256:00?x=1"
                + " HTTP/1.1\" 206 157 \"\" \"okhttp/5.5.1\"");
    assertThat(e).isPresent();
    assertThat(e.get().method()).isEqualTo("GET");
    assertThat(e.get().path()).isEqualTo("/v2/foo/blobs/sha256:00");
    assertThat(e.get().query()).isEqualTo("x=1");
    assertThat(e.get().status()).isEqualTo(206);
    assertThat(e.get().bytes()).isEqualTo(157);
    assertThat(
            RegistryServer.parseAccessLine(
                "time=\"2026-11-21T14:07:37Z\" level=info msg=\"response completed\""))
        .isEmpty();
  }
}
