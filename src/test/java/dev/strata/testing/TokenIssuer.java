package dev.strata.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A Docker token server (the "realm" of a registry in {@code auth: token} mode) on a free 127.0.0.1
 * port, implementing {@code GET /token?service=S&scope=T:NAME:ACTIONS[&scope=...]}.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Without {@code Authorization} the caller is anonymous and gets {@code pull} (only) on
 *       {@code repository} scopes. With {@code Authorization: Basic} for {@link #USER}/{@link
 *       #PASSWORD} the caller gets every requested action on every scope. Any other credentials
 *       (wrong password, unknown user, non-Basic scheme, malformed header) get 401 with {@code
 *       WWW-Authenticate: Basic realm="strata-test-token"} and no token.
 *   <li>A {@code service} parameter other than {@link #service()} gets 400; a missing one is
 *       accepted. {@code scope} may repeat and may hold several space-separated scopes.
 *   <li>Success is 200 with {@code {"token":T,"access_token":T,"expires_in":N,"issued_at":RFC3339}}
 *       where N is the {@linkplain #setLifetime lifetime} in whole seconds.
 *   <li>T is a JWT signed RS256 by a key generated at start ({@code openssl req -x509 -newkey
 *       rsa:2048}); its header carries {@code x5c} = [the self-signed certificate] which is also
 *       {@link #certificatePem()}, the registry's {@code rootcertbundle}. Claims: iss = {@link
 *       #issuer()}, sub = user or {@code ""}, aud = {@link #service()}, exp, nbf, iat, jti, access
 *       = [{type, name, actions}] (scopes granted nothing are omitted).
 *   <li>Every request is recorded ({@link #requests()}); {@link #reset()} restores the default
 *       lifetime and clears records. Not meant to be shared across concurrent tests that change the
 *       lifetime.
 * </ul>
 *
 * <p>Distribution 2.8 allows 60 s of clock leeway on exp/nbf, so a token with a 1 s lifetime is
 * still accepted for about a minute; use {@link #mintToken} with a past issue time to get a token
 * the registry rejects as expired.
 */
public final class TokenIssuer implements AutoCloseable {
  /** The service name (JWT audience) the issuer and its registries use. */
  public static final String SERVICE = "strata-test-registry";

  /** The JWT issuer name. */
  public static final String ISSUER = "strata-test-token-issuer";

  /** The user granted everything. */
  public static final String USER = "bob";

  /** {@link #USER}'s password. */
  public static final String PASSWORD = "token-secret-7";

  /** Token lifetime until {@link #setLifetime} is called. */
  public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(5);

  /** The kind of {@code Authorization} header a token request carried. */
  public enum AuthorizationType {
    NONE,
    BASIC,
    OTHER
  }

  /** One entry of the JWT {@code access} claim. */
  public record Access(String type, String name, List<String> actions) {
    public Access {
      actions = List.copyOf(actions);
    }
  }

  /**
   * One request the issuer answered.
   *
   * @param user the authenticated user, or {@code null} when anonymous or rejected
   * @param service the {@code service} parameter, or {@code null}
   * @param scopes the individual requested scopes, in order
   * @param status the HTTP status answered
   * @param granted the access put in the token (empty if none was issued)
   */
  public record TokenRequest(
      AuthorizationType authorization,
      String user,
      String service,
      List<String> scopes,
      int status,
      List<Access> granted) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final Path dir;
  private final HttpServer server;
  private final ExecutorService executor;
  private final PrivateKey key;
  private final String certificateDerBase64;
  private final List<TokenRequest> requests = new ArrayList<>();
  private Duration lifetime = DEFAULT_LIFETIME;
  private int tokensIssued;
  private AuthorizationType lastAuthorization;

  private TokenIssuer(Path dir, PrivateKey key, String certificateDerBase64) throws IOException {
    this.dir = dir;
    this.key = key;
    this.certificateDerBase64 = certificateDerBase64;
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    this.server = HttpServer.create(new InetSocketAddress(TestDirs.loopback(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Generates a key pair and certificate with openssl and starts serving. */
  public static TokenIssuer start() {
    Path dir = TestDirs.createTempDir("strata-token-issuer");
    try {
      Path keyPem = dir.resolve("key.pem");
      Path certPem = dir.resolve("cert.pem");
      Exec.run(
              Duration.ofSeconds(60),
              List.of(
                  "openssl",
                  "req",
                  "-x509",
                  "-newkey",
                  "rsa:2048",
                  "-nodes",
                  "-sha256",
                  "-days",
                  "3650",
                  "-subj",
                  "/CN=" + ISSUER,
                  "-keyout",
                  keyPem.toString(),
                  "-out",
                  certPem.toString()))
          .checkSuccess();
      PrivateKey key =
          KeyFactory.getInstance("RSA")
              .generatePrivate(new PKCS8EncodedKeySpec(pemBody(keyPem, "PRIVATE KEY")));
      X509Certificate cert;
      try (var in = Files.newInputStream(certPem)) {
        cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      }
      return new TokenIssuer(dir, key, Base64.getEncoder().encodeToString(cert.getEncoded()));
    } catch (IOException e) {
      TestDirs.deleteRecursively(dir);
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | RuntimeException e) {
      TestDirs.deleteRecursively(dir);
      throw new IllegalStateException("cannot set up token issuer keys", e);
    }
  }

  /** The token endpoint, {@code http://127.0.0.1:PORT/token}. */
  public String realm() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  /** {@link #SERVICE}. */
  public String service() {
    return SERVICE;
  }

  /** {@link #ISSUER}. */
  public String issuer() {
    return ISSUER;
  }

  /** PEM file of the self-signed signing certificate (the registry's root cert bundle). */
  public Path certificatePem() {
    return dir.resolve("cert.pem");
  }

  /** Sets the lifetime (exp - iat, and {@code expires_in}) of tokens issued from now on. */
  public synchronized void setLifetime(Duration lifetime) {
    if (lifetime.isNegative()) {
      throw new IllegalArgumentException("negative lifetime " + lifetime);
    }
    this.lifetime = lifetime;
  }

  /** The current token lifetime. */
  public synchronized Duration lifetime() {
    return lifetime;
  }

  /** How many tokens were handed out (200 answers) since start or {@link #reset()}. */
  public synchronized int tokensIssued() {
    return tokensIssued;
  }

  /** The Authorization kind of the most recent token request, or {@code null} if none yet. */
  public synchronized AuthorizationType lastAuthorization() {
    return lastAuthorization;
  }

  /** Every token request since start or {@link #reset()}, oldest first. */
  public synchronized List<TokenRequest> requests() {
    return List.copyOf(requests);
  }

  /** Restores {@link #DEFAULT_LIFETIME} and clears counters and records. */
  public synchronized void reset() {
    lifetime = DEFAULT_LIFETIME;
    tokensIssued = 0;
    lastAuthorization = null;
    requests.clear();
  }

  /**
   * Signs a token like the endpoint would, but with a caller-chosen subject, access, issue time and
   * lifetime (nbf = iat = {@code issuedAt}). Does not count as issued.
   */
  public String mintToken(
      String subject, List<Access> access, Instant issuedAt, Duration tokenLifetime) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("typ", "JWT");
    header.put("alg", "RS256");
    header.put("x5c", List.of(certificateDerBase64));
    long iat = issuedAt.getEpochSecond();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("iss", ISSUER);
    claims.put("sub", subject);
    claims.put("aud", SERVICE);
    claims.put("exp", iat + tokenLifetime.toSeconds());
    claims.put("nbf", iat);
    claims.put("iat", iat);
    claims.put("jti", UUID.randomUUID().toString());
    List<Map<String, Object>> accessClaim = new ArrayList<>();
    for (Access a : access) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("type", a.type());
      entry.put("name", a.name());
      entry.put("actions", a.actions());
      accessClaim.add(entry);
    }
    claims.put("access", accessClaim);
    try {
      String signingInput =
          B64URL.encodeToString(JSON.writeValueAsBytes(header))
              + "."
              + B64URL.encodeToString(JSON.writeValueAsBytes(claims));
      Signature sig = Signature.getInstance("SHA256withRSA");
      sig.initSign(key);
      sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64URL.encodeToString(sig.sign());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Decodes (without verifying) the claims part of a JWT, for assertions. */
  public static JsonNode decodeClaims(String jwt) {
    String[] parts = jwt.split("\\.");
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a JWT: " + jwt);
    }
    try {
      return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops serving and deletes the key material. Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    TestDirs.deleteRecursively(dir);
  }

  @Override
  public String toString() {
    return "TokenIssuer[" + realm() + "]";
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!ex.getRequestURI().getPath().equals("/token")) {
        send(ex, 404, Map.of("error", "not found"));
        return;
      }
      if (!ex.getRequestMethod().equals("GET")) {
        ex.getResponseHeaders().set("Allow", "GET");
        send(ex, 405, Map.of("error", "only GET is implemented"));
        return;
      }
      String service = null;
      List<String> scopes = new ArrayList<>();
      String rawQuery = ex.getRequestURI().getRawQuery();
      if (rawQuery != null) {
        for (String pair : rawQuery.split("&")) {
          int eq = pair.indexOf('=');
          String name = decode(eq < 0 ? pair : pair.substring(0, eq));
          String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
          if (name.equals("service")) {
            service = value;
          } else if (name.equals("scope")) {
            for (String s : value.split(" ")) {
              if (!s.isEmpty()) {
                scopes.add(s);
              }
            }
          }
        }
      }

      String authHeader = ex.getRequestHeaders().getFirst("Authorization");
      AuthorizationType authType;
      String user = null;
      boolean authenticated;
      if (authHeader == null) {
        authType = AuthorizationType.NONE;
        authenticated = true;
      } else if (authHeader.regionMatches(true, 0, "Basic ", 0, 6)) {
        authType = AuthorizationType.BASIC;
        String decoded;
        try {
          decoded =
              new String(
                  Base64.getDecoder().decode(authHeader.substring(6).strip()),
                  StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          decoded = "";
        }
        authenticated = decoded.equals(USER + ":" + PASSWORD);
        if (authenticated) {
          user = USER;
        }
      } else {
        authType = AuthorizationType.OTHER;
        authenticated = false;
      }

      int status;
      List<Access> granted = List.of();
      if (!authenticated) {
        status = 401;
        ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"strata-test-token\"");
        send(ex, status, Map.of("details", "invalid credentials"));
      } else if (service != null && !service.equals(SERVICE)) {
        status = 400;
        send(ex, status, Map.of("details", "unknown service " + service));
      } else {
        status = 200;
        granted = grant(user, scopes);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Duration life = lifetime();
        String token = mintToken(user == null ? "" : user, granted, now, life);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", token);
        body.put("access_token", token);
        body.put("expires_in", life.toSeconds());
        body.put("issued_at", now.toString());
        send(ex, status, body);
      }
      synchronized (this) {
        lastAuthorization = authType;
        if (status == 200) {
          tokensIssued++;
        }
        requests.add(
            new TokenRequest(
                authType, user, service, List.copyOf(scopes), status, List.copyOf(granted)));
      }
    }
  }

  private static List<Access> grant(String user, List<String> scopes) {
    List<Access> granted = new ArrayList<>();
    for (String scope : scopes) {
      int first = scope.indexOf(':');
      int last = scope.lastIndexOf(':');
      if (first < 0 || last == first) {
        continue; // malformed scope: grant nothing for it
      }
      String type = scope.substring(0, first);
      String name = scope.substring(first + 1, last);
      List<String> actions = new ArrayList<>();
      for (String action : scope.substring(last + 1).split(",")) {
        boolean allowed =
            user != null ? !action.isEmpty() : type.equals("repository") && action.equals("pull");
        if (allowed && !actions.contains(action)) {
          actions.add(action);
        }
      }
      if (!actions.isEmpty()) {
        granted.add(new Access(type, name, actions));
      }
    }
    return granted;
  }

  private static void send(HttpExchange ex, int status, Map<String, ?> body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static byte[] pemBody(Path pem, String label) throws IOException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int b = text.indexOf(begin);
    int e = text.indexOf(end);
    if (b < 0 || e < 0) {
      throw new IllegalStateException(pem + " has no " + label + " block");
    }
    return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
  }
}
