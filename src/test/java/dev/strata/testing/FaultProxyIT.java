package dev.strata.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks each {@link Fault} against a real registry behind a {@link FaultProxy}. */
class FaultProxyIT {
  private static final String REPO = "infra/fault-proxy";
  private static final String BLOBS = "/v2/" + REPO + "/blobs/.*";

  private static RegistryServer registry;
  private static FaultProxy proxy;
  private static String blobPath;
  private static byte[] blob;

  private final OkHttpClient http =
      new OkHttpClient.Builder().retryOnConnectionFailure(false).build();

  @BeforeAll
  static void pushImage() throws IOException {
    registry = Registries.plain();
    Path dir = Files.createTempDirectory("fault-proxy-layout");
    try {
      BuiltLayout built = OciLayouts.singleLayer(dir, "v1", 1234);
      OciLayouts.pushWithSkopeo(dir, "v1", registry.hostPort() + "/" + REPO + ":v1");
      String digest = built.image().layers().get(0).digest();
      blobPath = "/v2/" + REPO + "/blobs/" + digest;
      blob = built.blob(digest);
    } finally {
      TestDirs.deleteRecursively(dir);
    }
    assertThat(blob.length).isGreaterThan(100_000);
    proxy = FaultProxy.inFrontOf(registry);
  }

  @AfterAll
  static void closeProxy() {
    proxy.close();
  }

  @AfterEach
  void resetProxy() {
    proxy.reset();
  }

  @Test
  void relaysUnfaultedRequestsAndRecordsThem() throws IOException {
    Raw r = Raw.get(proxy, blobPath + "?x=1", Map.of("X-Probe", "one"));
    assertThat(r.status).isEqualTo(200);
    assertThat(r.failure).isNull();
    assertThat(r.body).isEqualTo(blob);
    assertThat(r.headers.get("connection")).isEqualTo("close");

    try (Response head =
        http.newCall(new Request.Builder().url(url(blobPath)).head().build()).execute()) {
      assertThat(head.code()).isEqualTo(200);
      assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(blob.length));
    }

    assertThat(proxy.requestLog()).containsExactly("GET " + blobPath, "HEAD " + blobPath);
    assertThat(proxy.requests().get(0).query()).isEqualTo("x=1");
    assertThat(proxy.count("GET", BLOBS)).isEqualTo(1);
    assertThat(proxy.count("*", BLOBS)).isEqualTo(2);
    assertThat(proxy.headersSeen("x-probe")).containsExactly("one");
    assertThat(proxy.faultsInjected()).isZero();
  }

  @Test
  void statusFaultAnswersWithoutUpstreamAndIsConsumed() throws IOException {
    int registryGets = registry.countRequests("GET", blobPath);
    proxy.arm(Fault.status(503), "GET", BLOBS, 1);

    Raw first = Raw.get(proxy, blobPath, Map.of());
    assertThat(first.status).isEqualTo(503);
    assertThat(first.body).isEmpty();
    Raw second = Raw.get(proxy, blobPath, Map.of());
    assertThat(second.status).isEqualTo(200);
    assertThat(second.body).isEqualTo(blob);

    assertThat(registry.countRequests("GET", blobPath)).isEqualTo(registryGets + 1);
    assertThat(proxy.faultsInjected()).isEqualTo(1);
    assertThat(proxy.requests().get(0).fault()).isEqualTo(Fault.status(503));
    assertThat(proxy.requests().get(1).fault()).isNull();
  }

  @Test
  void statusFaultCarriesHeadersAndBody() throws IOException {
    proxy.arm(Fault.status(429, Map.of("Retry-After", "1")), "GET", BLOBS, 1);
    proxy.arm(
        Fault.status(401, Map.of("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:1/token\"")),
        "GET",
        BLOBS,
        1);
    proxy.arm(
        Fault.status(
            403,
            Map.of("Content-Type", "application/json"),
            "{\"errors\":[{\"code\":\"DENIED\"}]}"),
        "GET",
        BLOBS,
        1);

    Raw tooMany = Raw.get(proxy, blobPath, Map.of());
    assertThat(tooMany.status).isEqualTo(429);
    assertThat(tooMany.headers.get("retry-after")).isEqualTo("1");
    Raw unauthorized = Raw.get(proxy, blobPath, Map.of());
    assertThat(unauthorized.status).isEqualTo(401);
    assertThat(unauthorized.headers.get("www-authenticate")).startsWith("Bearer realm=");
    try (Response forbidden =
        http.newCall(new Request.Builder().url(url(blobPath)).build()).execute()) {
      assertThat(forbidden.code()).isEqualTo(403);
      assertThat(forbidden.body().string()).contains("DENIED");
    }
    assertThat(proxy.armedRemaining()).isZero();
  }

  @Test
  void faultsMatchOnMethodAndPathAndCountDown() throws IOException {
    proxy.arm(Fault.status(500), "GET", BLOBS, 2);
    assertThat(Raw.head(proxy, blobPath).status).isEqualTo(200);
    assertThat(Raw.get(proxy, "/v2/", Map.of()).status).isEqualTo(200);
    assertThat(proxy.armedRemaining()).isEqualTo(2);
    assertThat(Raw.get(proxy, blobPath, Map.of()).status).isEqualTo(500);
    assertThat(Raw.get(proxy, blobPath, Map.of()).status).isEqualTo(500);
    assertThat(Raw.get(proxy, blobPath, Map.of()).status).isEqualTo(200);

    proxy.arm(Fault.status(502), "*", BLOBS, FaultProxy.ALWAYS);
    for (int i = 0; i < 3; i++) {
      assertThat(Raw.head(proxy, blobPath).status).isEqualTo(502);
    }
    proxy.reset();
    assertThat(proxy.requestLog()).isEmpty();
    assertThat(Raw.get(proxy, blobPath, Map.of()).status).isEqualTo(200);
  }

  @Test
  void resetAfterBodyBytesAbortsWithRst() throws IOException {
    proxy.arm(Fault.resetAfterBodyBytes(1000), "GET", BLOBS, 2);

    Raw r = Raw.get(proxy, blobPath, Map.of());
    assertThat(r.status).isEqualTo(200);
    assertThat(r.headers.get("content-length")).isEqualTo(Integer.toString(blob.length));
    assertThat(r.body).hasSize(1000).isEqualTo(java.util.Arrays.copyOf(blob, 1000));
    assertThat(r.failure).isInstanceOf(SocketException.class).hasMessageContaining("reset");

    try (Response resp = http.newCall(new Request.Builder().url(url(blobPath)).build()).execute()) {
      assertThat(resp.code()).isEqualTo(200);
      assertThatThrownBy(() -> resp.body().bytes()).isInstanceOf(IOException.class);
    }
  }

  @Test
  void truncateAfterBodyBytesClosesCleanlyShort() throws IOException {
    proxy.arm(Fault.truncateAfterBodyBytes(5000), "GET", BLOBS, 2);

    Raw r = Raw.get(proxy, blobPath, Map.of());
    assertThat(r.status).isEqualTo(200);
    assertThat(r.headers.get("content-length")).isEqualTo(Integer.toString(blob.length));
    assertThat(r.body).isEqualTo(java.util.Arrays.copyOf(blob, 5000));
    assertThat(r.failure).isNull();

    try (Response resp = http.newCall(new Request.Builder().url(url(blobPath)).build()).execute()) {
      assertThatThrownBy(() -> resp.body().bytes()).isInstanceOf(IOException.class);
    }
  }

  @Test
  void corruptBodyByteFlipsExactlyOneByte() throws IOException {
    proxy.arm(Fault.corruptBodyByte(70_000), "GET", BLOBS, 1);

    Raw r = Raw.get(proxy, blobPath, Map.of());
    assertThat(r.status).isEqualTo(200);
    assertThat(r.failure).isNull();
    assertThat(r.body).hasSize(blob.length);
    for (int i = 0; i < blob.length; i++) {
      if (i == 70_000) {
        assertThat(r.body[i]).isEqualTo((byte) (blob[i] ^ 0xFF));
      } else if (r.body[i] != blob[i]) {
        throw new AssertionError("unexpected difference at " + i);
      }
    }
  }

  @Test
  void ignoreRangeMakesUpstreamSendEverything() throws IOException {
    Raw ranged = Raw.get(proxy, blobPath, Map.of("Range", "bytes=100-199"));
    assertThat(ranged.status).isEqualTo(206);
    assertThat(ranged.headers.get("content-range")).isEqualTo("bytes 100-199/" + blob.length);
    assertThat(ranged.body).isEqualTo(java.util.Arrays.copyOfRange(blob, 100, 200));

    proxy.arm(Fault.ignoreRange(), "GET", BLOBS, 1);
    Raw ignored = Raw.get(proxy, blobPath, Map.of("Range", "bytes=100-199"));
    assertThat(ignored.status).isEqualTo(200);
    assertThat(ignored.body).isEqualTo(blob);
    assertThat(proxy.headersSeen("Range")).containsExactly("bytes=100-199", "bytes=100-199");
  }

  @Test
  void rangeNotSatisfiableReportsUpstreamSize() throws IOException {
    proxy.arm(Fault.rangeNotSatisfiable(), "GET", BLOBS, 1);
    Raw r = Raw.get(proxy, blobPath, Map.of("Range", "bytes=0-9"));
    assertThat(r.status).isEqualTo(416);
    assertThat(r.headers.get("content-range")).isEqualTo("bytes */" + blob.length);
    assertThat(r.body).isEmpty();
  }

  @Test
  void redirectToUpstreamSendsClientToTheRegistry() throws IOException {
    proxy.arm(Fault.redirectToUpstream(), "GET", BLOBS, 2);
    Raw r = Raw.get(proxy, blobPath + "?a=b", Map.of());
    assertThat(r.status).isEqualTo(307);
    assertThat(r.headers.get("location"))
        .isEqualTo("http://" + registry.hostPort() + blobPath + "?a=b");

    int before = registry.countRequests("GET", blobPath);
    try (Response resp = http.newCall(new Request.Builder().url(url(blobPath)).build()).execute()) {
      assertThat(resp.code()).isEqualTo(200);
      assertThat(resp.request().url().port()).isEqualTo(registry.port());
      assertThat(resp.body().bytes()).isEqualTo(blob);
    }
    assertThat(proxy.count("GET", BLOBS)).isEqualTo(2);
    assertThat(registry.countRequests("GET", blobPath)).isEqualTo(before + 1);
  }

  @Test
  void relaysRequestBodiesForUploads() throws IOException {
    byte[] data = new byte[200_000];
    new Random(5).nextBytes(data);
    String digest = OciLayouts.sha256(data);
    String repo = "/v2/infra/fault-upload";

    String location;
    try (Response start =
        http.newCall(
                new Request.Builder()
                    .url(url(repo + "/blobs/uploads/"))
                    .post(RequestBody.create(new byte[0]))
                    .build())
            .execute()) {
      assertThat(start.code()).isEqualTo(202);
      location = start.header("Location");
    }
    // Host is passed through, so the registry's upload URL points back at the proxy
    assertThat(location).startsWith("http://" + proxy.hostPort() + "/");

    RequestBody chunked =
        new RequestBody() {
          @Override
          public MediaType contentType() {
            return MediaType.get("application/octet-stream");
          }

          @Override
          public long contentLength() {
            return -1; // forces Transfer-Encoding: chunked
          }

          @Override
          public void writeTo(BufferedSink sink) throws IOException {
            sink.write(data);
          }
        };
    try (Response put =
        http.newCall(
                new Request.Builder()
                    .url(location + (location.contains("?") ? "&" : "?") + "digest=" + digest)
                    .put(chunked)
                    .build())
            .execute()) {
      assertThat(put.code()).as(put.body().string()).isEqualTo(201);
    }
    assertThat(proxy.headersSeen("Transfer-Encoding")).containsExactly("chunked");

    Raw back = Raw.get(proxy, repo + "/blobs/" + digest, Map.of());
    assertThat(back.status).isEqualTo(200);
    assertThat(back.body).isEqualTo(data);
  }

  private static String url(String path) {
    return "http://" + proxy.hostPort() + path;
  }

  /** A response read off a raw socket: exactly what the proxy sent, including failures. */
  private static final class Raw {
    int status;
    final Map<String, String> headers = new LinkedHashMap<>();
    byte[] body;
    IOException failure;

    static Raw get(FaultProxy proxy, String target, Map<String, String> headers)
        throws IOException {
      return exchange(proxy, "GET", target, headers);
    }

    static Raw head(FaultProxy proxy, String target) throws IOException {
      return exchange(proxy, "HEAD", target, Map.of());
    }

    private static Raw exchange(
        FaultProxy proxy, String method, String target, Map<String, String> headers)
        throws IOException {
      Raw raw = new Raw();
      try (Socket s = new Socket(TestDirs.loopback(), proxy.port())) {
        s.setSoTimeout(30_000);
        StringBuilder req = new StringBuilder(method + " " + target + " HTTP/1.1\r\n");
        req.append("Host: ").append(proxy.hostPort()).append("\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("\r\n");
        OutputStream out = s.getOutputStream();
        out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = s.getInputStream();
        String statusLine = readLine(in);
        raw.status = Integer.parseInt(statusLine.split(" ")[1]);
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
          int colon = line.indexOf(':');
          raw.headers.put(
              line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
              line.substring(colon + 1).strip());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
          for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
            body.write(buf, 0, n);
          }
        } catch (IOException e) {
          raw.failure = e;
        }
        raw.body = body.toByteArray();
      }
      return raw;
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new IOException("EOF in head");
        }
        line.write(b);
      }
      String s = line.toString(StandardCharsets.ISO_8859_1);
      return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
  }
}
