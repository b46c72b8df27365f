package dev.strata.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.metrics.StrataMetrics;
import dev.strata.registry.auth.AuthChallenge;
import dev.strata.registry.auth.CredentialSource;
import dev.strata.registry.auth.Credentials;
import dev.strata.registry.auth.TokenCache;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends requests to registries: picks HTTP or HTTPS, authenticates (anonymous, Basic, or the Bearer
 * token challenge flow), and retries idempotent requests on connection failures, 429 and 5xx with
 * backoff. Callers get the final response and decide what its status means.
 *
 * <p>Secrets never reach a log line or an exception message: URLs are logged without their query
 * (storage redirects carry signatures there) and no header is ever logged.
 */
public final class RegistryHttp {
  private static final Logger log = LoggerFactory.getLogger(RegistryHttp.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

  private final OkHttpClient client;
  private final CredentialSource credentials;
  private final RetryPolicy retry;
  private final Sleeper sleeper;
  private final Set<String> insecureRegistries;
  private final TokenCache tokens;
  private final Map<String, AuthChallenge> challenges = new ConcurrentHashMap<>();

  public RegistryHttp(
      OkHttpClient client,
      CredentialSource credentials,
      RetryPolicy retry,
      Sleeper sleeper,
      Set<String> insecureRegistries,
      TokenCache tokens) {
    this.client = client;
    this.credentials = credentials;
    this.retry = retry;
    this.sleeper = sleeper;
    this.insecureRegistries = Set.copyOf(insecureRegistries);
    this.tokens = tokens;
  }

  public RetryPolicy retryPolicy() {
    return retry;
  }

  /** The URL of a path on a registry; {@code docker.io} is served by registry-1.docker.io. */
  public HttpUrl url(String registry, String path) {
    String host = registry.equals(ImageRef.DOCKER_HUB) ? "registry-1.docker.io" : registry;
    HttpUrl url = HttpUrl.parse((usesPlainHttp(registry) ? "http://" : "https://") + host + path);
    if (url == null) {
      throw new IllegalArgumentException("cannot form a URL for registry " + registry + path);
    }
    return url;
  }

  /**
   * Loopback registries ({@code localhost}, {@code 127.0.0.0/8}, {@code [::1]}) speak plain HTTP,
   * as Docker does; so do registries named with {@code --insecure-registry}.
   */
  public boolean usesPlainHttp(String registry) {
    if (insecureRegistries.contains(registry)) {
      return true;
    }
    String host = hostOf(registry);
    return insecureRegistries.contains(host)
        || host.equals("localhost")
        || host.equals("[::1]")
        || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  private static String hostOf(String registry) {
    if (registry.startsWith("[")) {
      int end = registry.indexOf(']');
      return registry.substring(0, end + 1);
    }
    int colon = registry.indexOf(':');
    return colon < 0 ? registry : registry.substring(0, colon);
  }

  /**
   * Sends {@code request} to {@code registry}. Retries connection failures, 429 and 5xx only when
   * {@code idempotent}; answers a 401 challenge once (and a 403 to a token, which may have expired)
   * by authenticating again. The caller must close the response.
   */
  public Response send(String registry, Scope scope, Request request, boolean idempotent)
      throws IOException {
    int retries = 0;
    boolean reauthenticated = false;
    while (true) {
      Authorized authorized = authorize(registry, scope, request);
      long start = System.nanoTime();
      Response response;
      try {
        response = client.newCall(authorized.request()).execute();
      } catch (IOException e) {
        StrataMetrics.global().registryNetworkError();
        if (idempotent && retries < retry.maxRetries()) {
          StrataMetrics.global().registryRetry();
          Duration wait = retry.delay(retries, null);
          log.info(
              "retrying {} {} after connection failure ({}) in {} ms (retry {} of {})",
              request.method(),
              redact(request.url()),
              e.getMessage(),
              wait.toMillis(),
              retries + 1,
              retry.maxRetries());
          sleeper.sleep(wait);
          retries++;
          continue;
        }
        throw new RegistryException(
            "cannot reach registry "
                + registry
                + " ("
                + request.method()
                + " "
                + redact(request.url())
                + "): "
                + e.getMessage()
                + (retries > 0 ? " (after " + retries + " retries)" : ""),
            e);
      }
      int code = response.code();
      StrataMetrics.global().registryResponse(code);
      log.debug(
          "{} {} -> {} in {} ms",
          request.method(),
          redact(response.request().url()),
          code,
          (System.nanoTime() - start) / 1_000_000);
      if (code == 401 && !reauthenticated) {
        List<AuthChallenge> offered = AuthChallenge.parse(response.headers("WWW-Authenticate"));
        response.close();
        learnChallenge(registry, offered);
        if (authorized.token() != null) {
          tokens.invalidate(authorized.tokenKey(), authorized.token());
        }
        reauthenticated = true;
        continue;
      }
      if (code == 401) {
        response.close();
        throw new AuthenticationException(
            "registry " + registry + " refused our credentials for " + scope + " (401)", 401);
      }
      if (code == 403 && authorized.token() != null && !reauthenticated) {
        // Some registries answer an expired token with 403: try once with a fresh one.
        response.close();
        tokens.invalidate(authorized.tokenKey(), authorized.token());
        reauthenticated = true;
        continue;
      }
      if (code == 403) {
        response.close();
        throw new AuthenticationException(
            "registry " + registry + " denied access to " + scope + " (403)", 403);
      }
      if (isRetryable(code) && idempotent && retries < retry.maxRetries()) {
        Duration retryAfter = retryAfter(response.header("Retry-After"));
        response.close();
        StrataMetrics.global().registryRetry();
        Duration wait = retry.delay(retries, retryAfter);
        log.info(
            "retrying {} {} after HTTP {} in {} ms (retry {} of {})",
            request.method(),
            redact(request.url()),
            code,
            wait.toMillis(),
            retries + 1,
            retry.maxRetries());
        sleeper.sleep(wait);
        retries++;
        continue;
      }
      return response;
    }
  }

  private static boolean isRetryable(int code) {
    return code == 429 || code == 408 || (code >= 500 && code != 501 && code != 505);
  }

  /** {@code Retry-After} as delta-seconds or an HTTP date; {@code null} when absent or unusable. */
  static Duration retryAfter(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.strip();
    if (value.matches("\\d{1,9}")) {
      return Duration.ofSeconds(Long.parseLong(value));
    }
    try {
      Instant when = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(Instant.now(), when);
      return wait.isNegative() ? Duration.ZERO : wait;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private record Authorized(Request request, String tokenKey, TokenCache.Token token) {}

  private Authorized authorize(String registry, Scope scope, Request request) throws IOException {
    AuthChallenge challenge = challenges.get(registry);
    if (challenge == null) {
      return new Authorized(request, null, null);
    }
    if (challenge.isBasic()) {
      Credentials creds = requireCredentials(registry);
      return new Authorized(
          request.newBuilder().header("Authorization", basic(creds)).build(), null, null);
    }
    String key = challenge.param("realm") + "|" + challenge.param("service") + "|" + scope;
    TokenCache.Token token = tokens.get(key, () -> fetchToken(registry, challenge, scope));
    return new Authorized(
        request.newBuilder().header("Authorization", "Bearer " + token.value()).build(),
        key,
        token);
  }

  private void learnChallenge(String registry, List<AuthChallenge> offered) throws IOException {
    Optional<AuthChallenge> bearer = offered.stream().filter(AuthChallenge::isBearer).findFirst();
    Optional<AuthChallenge> basic = offered.stream().filter(AuthChallenge::isBasic).findFirst();
    if (bearer.isPresent()) {
      if (bearer.get().param("realm").isEmpty()) {
        throw new AuthenticationException(
            "registry " + registry + " sent a Bearer challenge without a realm", 401);
      }
      challenges.put(registry, bearer.get());
    } else if (basic.isPresent()) {
      requireCredentials(registry);
      challenges.put(registry, basic.get());
    } else {
      throw new AuthenticationException(
          "registry " + registry + " requires authentication but offered no usable scheme", 401);
    }
  }

  private Credentials requireCredentials(String registry) throws IOException {
    return credentials
        .lookup(registry)
        .orElseThrow(
            () ->
                new AuthenticationException(
                    "registry "
                        + registry
                        + " requires authentication and no credentials are configured for it"
                        + " (log in with docker login, or add it to ~/.docker/config.json)",
                    401));
  }

  private static String basic(Credentials creds) {
    return okhttp3.Credentials.basic(
        creds.username(), creds.secret(), java.nio.charset.StandardCharsets.UTF_8);
  }

  private TokenCache.Grant fetchToken(String registry, AuthChallenge challenge, Scope scope)
      throws IOException {
    HttpUrl realm = HttpUrl.parse(challenge.param("realm"));
    if (realm == null) {
      throw new AuthenticationException(
          "registry " + registry + " named a token realm that is not an HTTP(S) URL", 401);
    }
    Optional<Credentials> creds = credentials.lookup(registry);
    String service = challenge.param("service");
    Request request;
    if (creds.isPresent() && creds.get().hasIdentityToken()) {
      FormBody.Builder form =
          new FormBody.Builder()
              .add("grant_type", "refresh_token")
              .add("refresh_token", creds.get().identityToken())
              .add("client_id", "strata")
              .add("scope", scope.toString());
      if (!service.isEmpty()) {
        form.add("service", service);
      }
      request = new Request.Builder().url(realm).post(form.build()).build();
    } else {
      HttpUrl.Builder url = realm.newBuilder().addQueryParameter("scope", scope.toString());
      if (!service.isEmpty()) {
        url.addQueryParameter("service", service);
      }
      Request.Builder builder = new Request.Builder().url(url.build()).get();
      if (creds.isPresent()) {
        url.addQueryParameter("account", creds.get().username());
        builder.url(url.build()).header("Authorization", basic(creds.get()));
      }
      request = builder.build();
    }
    try (Response response = sendUnauthenticated(realm.host(), request)) {
      if (response.code() == 401 || response.code() == 403) {
        throw new AuthenticationException(
            "the token service of registry "
                + registry
                + " refused "
                + (creds.isPresent() ? "our credentials" : "anonymous access")
                + " for "
                + scope
                + " ("
                + response.code()
                + ")",
            response.code());
      }
      if (!response.isSuccessful()) {
        throw new RegistryResponseException(
            "the token service of registry " + registry + " answered " + response.code(),
            response.code());
      }
      JsonNode body = JSON.readTree(response.body().byteStream());
      String token = body.path("token").asText("");
      if (token.isEmpty()) {
        token = body.path("access_token").asText("");
      }
      if (token.isEmpty()) {
        throw new AuthenticationException(
            "the token service of registry " + registry + " granted no token", 401);
      }
      long seconds = body.path("expires_in").asLong(0);
      return new TokenCache.Grant(
          token, seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_TOKEN_LIFETIME);
    }
  }

  /** Sends with retries but without registry authentication (token endpoints, redirects). */
  private Response sendUnauthenticated(String host, Request request) throws IOException {
    int retries = 0;
    while (true) {
      try {
        Response response = client.newCall(request).execute();
        if (isRetryable(response.code()) && retries < retry.maxRetries()) {
          Duration retryAfter = retryAfter(response.header("Retry-After"));
          response.close();
          sleeper.sleep(retry.delay(retries++, retryAfter));
          continue;
        }
        return response;
      } catch (IOException e) {
        if (retries < retry.maxRetries()) {
          sleeper.sleep(retry.delay(retries++, null));
          continue;
        }
        throw new RegistryException("cannot reach " + host + ": " + e.getMessage(), e);
      }
    }
  }

  /** The URL without its query string, which may hold signatures or tokens. */
  public static String redact(HttpUrl url) {
    String text = url.newBuilder().query(null).build().toString();
    return url.query() == null ? text : text + "?…";
  }

  /** A registry's error body ({@code {"errors":[{"code","message"}]}}) in one line, if any. */
  public static String describeErrors(Response response) {
    try {
      String body = response.peekBody(16 * 1024).string();
      JsonNode errors = JSON.readTree(body).path("errors");
      StringBuilder out = new StringBuilder();
      for (JsonNode error : errors) {
        if (!out.isEmpty()) {
          out.append("; ");
        }
        out.append(error.path("code").asText("")).append(' ');
        out.append(error.path("message").asText("").toLowerCase(Locale.ROOT));
      }
      return out.toString().strip();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
