package dev.strata.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exercises the shared registries, the token issuer and skopeo pushes of generated layouts. */
class RegistryInfraIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OCI_ACCEPT =
      OciLayouts.MANIFEST_MEDIA_TYPE + ", " + OciLayouts.INDEX_MEDIA_TYPE;

  private final OkHttpClient http =
      new OkHttpClient.Builder().retryOnConnectionFailure(false).build();

  @TempDir Path tmp;

  @AfterEach
  void resetIssuer() {
    Registries.tokenIssuer().reset();
  }

  @Test
  void plainRegistryAnswersV2Anonymously() throws IOException {
    RegistryServer registry = Registries.plain();
    assertThat(registry.hostPort()).matches("127\\.0\\.0\\.1:\\d+");
    try (Response r = get(registry, "/v2/", null)) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Docker-Distribution-Api-Version")).isEqualTo("registry/2.0");
    }
    assertThat(registry.countRequests("GET", "/v2/")).isGreaterThanOrEqualTo(1);
    assertThat(Registries.plain()).isSameAs(registry);
  }

  @Test
  void basicAuthRegistryRequiresCredentials() throws IOException {
    RegistryServer registry = Registries.basicAuth();
    try (Response r = get(registry, "/v2/", null)) {
      assertThat(r.code()).isEqualTo(401);
      assertThat(r.header("WWW-Authenticate")).isEqualTo("Basic realm=\"strata-test\"");
    }
    try (Response r =
        get(
            registry,
            "/v2/",
            Credentials.basic(Registries.BASIC_USER, Registries.BASIC_PASSWORD))) {
      assertThat(r.code()).isEqualTo(200);
    }
    try (Response r = get(registry, "/v2/", Credentials.basic(Registries.BASIC_USER, "wrong"))) {
      assertThat(r.code()).isEqualTo(401);
    }
    // the log sync marker works behind auth too (it is outside /v2/)
    assertThat(registry.accessLog())
        .filteredOn(e -> e.path().equals("/v2/") && e.status() == 200)
        .isNotEmpty();
  }

  @Test
  void tokenRegistryAcceptsAnIssuedToken() throws IOException {
    RegistryServer registry = Registries.tokenAuth();
    TokenIssuer issuer = Registries.tokenIssuer();
    try (Response r = get(registry, "/v2/", null)) {
      assertThat(r.code()).isEqualTo(401);
      assertThat(r.header("WWW-Authenticate"))
          .isEqualTo(
              "Bearer realm=\"" + issuer.realm() + "\",service=\"" + TokenIssuer.SERVICE + "\"");
    }

    JsonNode token =
        fetchToken(
            issuer,
            Credentials.basic(Registries.TOKEN_USER, Registries.TOKEN_PASSWORD),
            "repository:infra/token-v2:pull,push");
    assertThat(token.path("token").asText()).isEqualTo(token.path("access_token").asText());
    assertThat(token.path("expires_in").asLong()).isEqualTo(300);
    assertThat(Instant.parse(token.path("issued_at").asText()))
        .isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
    JsonNode claims = TokenIssuer.decodeClaims(token.path("token").asText());
    assertThat(claims.path("sub").asText()).isEqualTo("bob");
    assertThat(claims.path("aud").asText()).isEqualTo(TokenIssuer.SERVICE);
    assertThat(claims.path("access").get(0).path("actions").toString())
        .isEqualTo("[\"pull\",\"push\"]");
    assertThat(issuer.tokensIssued()).isEqualTo(1);
    assertThat(issuer.lastAuthorization()).isEqualTo(TokenIssuer.AuthorizationType.BASIC);

    try (Response r = get(registry, "/v2/", "Bearer " + token.path("token").asText())) {
      assertThat(r.code()).isEqualTo(200);
    }
    assertThat(registry.countLogLines(l -> l.contains("\"GET /v2/ HTTP/1.1\" 200")))
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void tokenIssuerGrantsAnonymousPullOnlyAndRejectsBadPasswords() throws IOException {
    TokenIssuer issuer = Registries.tokenIssuer();
    JsonNode anon = fetchToken(issuer, null, "repository:a/b:pull,push", "repository:c:push");
    JsonNode access = TokenIssuer.decodeClaims(anon.path("token").asText()).path("access");
    assertThat(access).hasSize(1);
    assertThat(access.get(0).path("name").asText()).isEqualTo("a/b");
    assertThat(access.get(0).path("actions").toString()).isEqualTo("[\"pull\"]");
    assertThat(issuer.lastAuthorization()).isEqualTo(TokenIssuer.AuthorizationType.NONE);

    try (Response r = tokenRequest(issuer, Credentials.basic("bob", "nope"), "repository:x:pull")) {
      assertThat(r.code()).isEqualTo(401);
    }
    assertThat(issuer.tokensIssued()).isEqualTo(1);
    assertThat(issuer.requests()).hasSize(2);
    assertThat(issuer.requests().get(1).status()).isEqualTo(401);
    assertThat(issuer.requests().get(0).scopes())
        .containsExactly("repository:a/b:pull,push", "repository:c:push");

    issuer.setLifetime(Duration.ofSeconds(7));
    JsonNode shortLived = fetchToken(issuer, null, "repository:a/b:pull");
    assertThat(shortLived.path("expires_in").asLong()).isEqualTo(7);
    JsonNode claims = TokenIssuer.decodeClaims(shortLived.path("token").asText());
    assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(7);
  }

  @Test
  void registryRejectsAnExpiredToken() throws IOException {
    RegistryServer registry = Registries.tokenAuth();
    TokenIssuer issuer = Registries.tokenIssuer();
    // distribution allows 60 s of leeway: expire the token well before that
    String expired =
        issuer.mintToken(
            "bob", List.of(), Instant.now().minus(Duration.ofMinutes(10)), Duration.ofMinutes(1));
    try (Response r = get(registry, "/v2/", "Bearer " + expired)) {
      assertThat(r.code()).isEqualTo(401);
      assertThat(r.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
    }
    String fresh = issuer.mintToken("bob", List.of(), Instant.now(), Duration.ofMinutes(1));
    try (Response r = get(registry, "/v2/", "Bearer " + fresh)) {
      assertThat(r.code()).isEqualTo(200);
    }
  }

  @Test
  void skopeoPushedSingleLayerImageCanBeFetchedByDigest() throws IOException {
    RegistryServer registry = Registries.plain();
    BuiltLayout built = OciLayouts.singleLayer(tmp, "v1");
    OciLayouts.pushWithSkopeo(tmp, "v1", registry.hostPort() + "/infra/single:v1");

    try (Response r =
        http.newCall(
                request(registry, "/v2/infra/single/manifests/" + built.digest(), null)
                    .header("Accept", OCI_ACCEPT)
                    .build())
            .execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Docker-Content-Digest")).isEqualTo(built.digest());
      assertThat(r.header("Content-Type")).isEqualTo(OciLayouts.MANIFEST_MEDIA_TYPE);
      assertThat(r.body().bytes()).isEqualTo(built.blob(built.digest()));
    }
    String layer = built.image().layers().get(0).digest();
    int before = registry.countRequests("GET", "/v2/infra/single/blobs/" + layer);
    try (Response r = get(registry, "/v2/infra/single/blobs/" + layer, null)) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.body().bytes()).isEqualTo(built.blob(layer));
    }
    assertThat(registry.countRequests("GET", "/v2/infra/single/blobs/" + layer))
        .isEqualTo(before + 1);
    assertThat(registry.countLogLines(l -> l.contains("\"GET /v2/infra/single/blobs/" + layer)))
        .isEqualTo(before + 1);
  }

  @Test
  void skopeoPushedMultiPlatformIndexKeepsItsDigests() throws IOException {
    RegistryServer registry = Registries.plain();
    BuiltLayout built = OciLayouts.multiPlatform(tmp, "multi");
    OciLayouts.pushWithSkopeo(tmp, "multi", registry.hostPort() + "/infra/multi:multi");

    try (Response r =
        http.newCall(
                request(registry, "/v2/infra/multi/manifests/multi", null)
                    .header("Accept", OCI_ACCEPT)
                    .build())
            .execute()) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Docker-Content-Digest")).isEqualTo(built.digest());
      assertThat(r.header("Content-Type")).isEqualTo(OciLayouts.INDEX_MEDIA_TYPE);
    }
    for (BuiltLayout.Image image : built.images()) {
      try (Response r =
          http.newCall(
                  request(registry, "/v2/infra/multi/manifests/" + image.manifestDigest(), null)
                      .header("Accept", OCI_ACCEPT)
                      .build())
              .execute()) {
        assertThat(r.code()).as(image.platform().toString()).isEqualTo(200);
        assertThat(r.body().bytes()).isEqualTo(built.blob(image.manifestDigest()));
      }
    }
  }

  @Test
  void skopeoPushesToAuthenticatedRegistries() throws IOException {
    BuiltLayout built = OciLayouts.singleLayer(tmp, "auth");

    RegistryServer basic = Registries.basicAuth();
    assertThatThrownBy(
            () -> OciLayouts.pushWithSkopeo(tmp, "auth", basic.hostPort() + "/infra/auth:auth"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("skopeo");
    OciLayouts.pushWithSkopeo(
        tmp,
        "auth",
        basic.hostPort() + "/infra/auth:auth",
        Registries.BASIC_USER,
        Registries.BASIC_PASSWORD);
    try (Response r =
        http.newCall(
                request(
                        basic,
                        "/v2/infra/auth/manifests/" + built.digest(),
                        Credentials.basic(Registries.BASIC_USER, Registries.BASIC_PASSWORD))
                    .header("Accept", OCI_ACCEPT)
                    .build())
            .execute()) {
      assertThat(r.code()).isEqualTo(200);
    }

    RegistryServer token = Registries.tokenAuth();
    TokenIssuer issuer = Registries.tokenIssuer();
    OciLayouts.pushWithSkopeo(
        tmp,
        "auth",
        token.hostPort() + "/infra/auth:auth",
        Registries.TOKEN_USER,
        Registries.TOKEN_PASSWORD);
    assertThat(issuer.tokensIssued()).isGreaterThanOrEqualTo(1);
    assertThat(issuer.lastAuthorization()).isEqualTo(TokenIssuer.AuthorizationType.BASIC);
    assertThat(issuer.requests())
        .anySatisfy(req -> assertThat(req.scopes()).contains("repository:infra/auth:pull,push"));

    // anonymous token: pull works, the registry checks scopes
    JsonNode anon = fetchToken(issuer, null, "repository:infra/auth:pull");
    try (Response r =
        http.newCall(
                request(
                        token,
                        "/v2/infra/auth/manifests/" + built.digest(),
                        "Bearer " + anon.path("token").asText())
                    .header("Accept", OCI_ACCEPT)
                    .build())
            .execute()) {
      assertThat(r.code()).isEqualTo(200);
    }
    try (Response r =
        http.newCall(
                request(
                        token,
                        "/v2/infra/auth/blobs/uploads/",
                        "Bearer " + anon.path("token").asText())
                    .post(okhttp3.RequestBody.create(new byte[0]))
                    .build())
            .execute()) {
      assertThat(r.code()).isEqualTo(401);
      // distribution 2.8 renders the actions from a Go map: their order varies per request
      assertThat(r.header("WWW-Authenticate"))
          .containsPattern("scope=\"repository:infra/auth:(pull,push|push,pull)\"")
          .contains("error=\"insufficient_scope\"");
    }
  }

  private Response get(RegistryServer registry, String path, String authorization)
      throws IOException {
    return http.newCall(request(registry, path, authorization).build()).execute();
  }

  private static Request.Builder request(
      RegistryServer registry, String path, String authorization) {
    Request.Builder b = new Request.Builder().url(registry.baseUri() + path);
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return b;
  }

  private Response tokenRequest(TokenIssuer issuer, String authorization, String... scopes)
      throws IOException {
    HttpUrl.Builder url =
        HttpUrl.get(issuer.realm()).newBuilder().addQueryParameter("service", issuer.service());
    for (String s : scopes) {
      url.addQueryParameter("scope", s);
    }
    Request.Builder b = new Request.Builder().url(url.build());
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return http.newCall(b.build()).execute();
  }

  private JsonNode fetchToken(TokenIssuer issuer, String authorization, String... scopes)
      throws IOException {
    try (Response r = tokenRequest(issuer, authorization, scopes)) {
      assertThat(r.code()).isEqualTo(200);
      assertThat(r.header("Content-Type")).isEqualTo("application/json");
      return JSON.readTree(r.body().bytes());
    }
  }
}
