package dev.strata.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.push.ImageSource;
import dev.strata.push.Pusher;
import dev.strata.registry.auth.Credentials;
import dev.strata.registry.auth.DockerConfigCredentials;
import dev.strata.testing.BuiltLayout;
import dev.strata.testing.Fault;
import dev.strata.testing.FaultProxy;
import dev.strata.testing.OciLayouts;
import dev.strata.testing.Registries;
import dev.strata.testing.RegistryServer;
import dev.strata.testing.TokenIssuer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Anonymous, Basic and Bearer-token access against real registries in each auth mode. */
class RegistryAuthIT {
  @TempDir static Path dir;
  static BuiltLayout image;

  @BeforeAll
  static void buildImage() {
    image = OciLayouts.singleLayer(dir.resolve("img"), "1.0", 31);
  }

  private static String dockerConfig(String registry, String user, String password)
      throws Exception {
    Path file = Files.createTempFile(dir, "config", ".json");
    String auth =
        Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    Files.writeString(file, "{\"auths\":{\"" + registry + "\":{\"auth\":\"" + auth + "\"}}}");
    return file.toString();
  }

  private static RegistryClient clientWith(String configFile) {
    return RegistryClient.builder()
        .credentials(new DockerConfigCredentials(Path.of(configFile), List.of()))
        .build();
  }

  private static void push(RegistryClient client, String ref) throws Exception {
    new Pusher(client, 2)
        .push(
            ImageSource.parse("oci:" + image.layoutDir() + ":1.0").plan(),
            ImageRef.parse(ref),
            Pusher.Listener.NONE);
  }

  @Test
  void basicAuthNeedsCredentialsAndNeverShowsThem() throws Exception {
    RegistryServer registry = Registries.basicAuth();
    String ref = registry.hostPort() + "/auth/basic:1.0";
    try (RegistryClient anonymous = RegistryClient.builder().build()) {
      assertThatThrownBy(() -> anonymous.resolve(ImageRef.parse(ref), Platform.host()))
          .isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("requires authentication")
          .hasMessageContaining(registry.hostPort());
    }
    try (RegistryClient wrong =
        clientWith(dockerConfig(registry.hostPort(), Registries.BASIC_USER, "not-the-password"))) {
      assertThatThrownBy(() -> wrong.resolve(ImageRef.parse(ref), Platform.host()))
          .isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("refused our credentials")
          .message()
          .doesNotContain("not-the-password");
    }
    try (RegistryClient alice =
        clientWith(
            dockerConfig(
                "http://" + registry.hostPort(),
                Registries.BASIC_USER,
                Registries.BASIC_PASSWORD))) {
      push(alice, ref);
      ImageManifest resolved = alice.resolve(ImageRef.parse(ref), Platform.host());
      assertThat(resolved.manifestDigest()).hasToString(image.digest());
    }
  }

  @Test
  void bearerTokensAreFetchedCachedAndScoped() throws Exception {
    RegistryServer registry = Registries.tokenAuth();
    TokenIssuer issuer = Registries.tokenIssuer();
    String ref = registry.hostPort() + "/auth/token:1.0";
    try (RegistryClient bob =
        clientWith(
            dockerConfig(registry.hostPort(), Registries.TOKEN_USER, Registries.TOKEN_PASSWORD))) {
      push(bob, ref);
      assertThat(issuer.lastAuthorization()).isEqualTo(TokenIssuer.AuthorizationType.BASIC);
      int before = issuer.tokensIssued();
      for (int i = 0; i < 3; i++) {
        bob.resolve(ImageRef.parse(ref), Platform.host());
      }
      // one pull-scoped token serves every later request
      assertThat(issuer.tokensIssued()).isEqualTo(before);
      // push asked for pull,push (in either order), pulls for pull alone
      assertThat(issuer.requests())
          .extracting(r -> String.join(" ", r.scopes()))
          .contains("repository:auth/token:pull")
          .anyMatch(scope -> scope.matches("repository:auth/token:(pull,push|push,pull)"));
    }
    // Anonymous pull is allowed by the issuer; anonymous push is not.
    try (RegistryClient anonymous = RegistryClient.builder().build()) {
      assertThat(anonymous.resolve(ImageRef.parse(ref), Platform.host()).manifestDigest())
          .hasToString(image.digest());
      assertThat(issuer.lastAuthorization()).isEqualTo(TokenIssuer.AuthorizationType.NONE);
      assertThatThrownBy(() -> push(anonymous, registry.hostPort() + "/auth/token:anon"))
          .isInstanceOf(AuthenticationException.class);
    }
  }

  @Test
  void wrongTokenCredentialsAreAClearErrorWithoutTheSecret() throws Exception {
    RegistryServer registry = Registries.tokenAuth();
    try (RegistryClient mallory =
        clientWith(dockerConfig(registry.hostPort(), Registries.TOKEN_USER, "guess-123"))) {
      assertThatThrownBy(
              () ->
                  mallory.resolve(
                      ImageRef.parse(registry.hostPort() + "/auth/x:1"), Platform.host()))
          .isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("token service")
          .hasMessageContaining("refused our credentials")
          .message()
          .doesNotContain("guess-123");
    }
  }

  @Test
  void expiredTokensAreReplacedBeforeUse() throws Exception {
    RegistryServer registry = Registries.tokenAuth();
    TokenIssuer issuer = Registries.tokenIssuer();
    String ref = registry.hostPort() + "/auth/expiry:1.0";
    try (RegistryClient bob =
        clientWith(
            dockerConfig(registry.hostPort(), Registries.TOKEN_USER, Registries.TOKEN_PASSWORD))) {
      push(bob, ref);
    }
    // a new client: its first pull token is issued with 2 s of life
    issuer.setLifetime(Duration.ofSeconds(2));
    try (RegistryClient bob =
        clientWith(
            dockerConfig(registry.hostPort(), Registries.TOKEN_USER, Registries.TOKEN_PASSWORD))) {
      try {
        bob.resolve(ImageRef.parse(ref), Platform.host()); // a fresh pull token, 2 s of life
        int issued = issuer.tokensIssued();
        bob.resolve(ImageRef.parse(ref), Platform.host());
        assertThat(issuer.tokensIssued()).isEqualTo(issued);
        Thread.sleep(2_100);
        bob.resolve(ImageRef.parse(ref), Platform.host());
        assertThat(issuer.tokensIssued()).isEqualTo(issued + 1);
      } finally {
        issuer.setLifetime(TokenIssuer.DEFAULT_LIFETIME);
      }
    }
  }

  @Test
  void aRefusedTokenIsRefreshedOn401AndOn403() throws Exception {
    RegistryServer registry = Registries.tokenAuth();
    TokenIssuer issuer = Registries.tokenIssuer();
    String path = "/auth/refresh";
    try (RegistryClient bob =
        clientWith(
            dockerConfig(registry.hostPort(), Registries.TOKEN_USER, Registries.TOKEN_PASSWORD))) {
      push(bob, registry.hostPort() + path + ":1.0");
    }
    try (FaultProxy proxy = FaultProxy.inFrontOf(registry);
        RegistryClient anonymous = RegistryClient.builder().build()) {
      ImageRef ref = ImageRef.parse(proxy.hostPort() + path + ":1.0");
      anonymous.resolve(ref, Platform.host());
      String challenge =
          "Bearer realm=\""
              + issuer.realm()
              + "\",service=\""
              + issuer.service()
              + "\",scope=\"repository:auth/refresh:pull\"";
      for (int status : new int[] {401, 403}) {
        int issued = issuer.tokensIssued();
        proxy.arm(
            Fault.status(status, Map.of("WWW-Authenticate", challenge)),
            "GET",
            "/v2/auth/refresh/manifests/.*",
            1);
        assertThat(anonymous.resolve(ref, Platform.host()).manifestDigest())
            .hasToString(image.digest());
        assertThat(issuer.tokensIssued()).as("after %d", status).isEqualTo(issued + 1);
      }
      // a 403 that persists with a fresh token is access denied, said once
      proxy.arm(Fault.status(403), "GET", "/v2/auth/refresh/manifests/.*", FaultProxy.ALWAYS);
      assertThatThrownBy(() -> anonymous.resolve(ref, Platform.host()))
          .isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("denied access");
    }
  }

  @Test
  void identityTokensAndHelpersAreUsedThroughTheConfig() throws Exception {
    RegistryServer registry = Registries.tokenAuth();
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path helper = bin.resolve("docker-credential-it");
    Files.writeString(
        helper,
        "#!/bin/sh\nread url\necho '{\"Username\":\""
            + Registries.TOKEN_USER
            + "\",\"Secret\":\""
            + Registries.TOKEN_PASSWORD
            + "\"}'\n");
    assertThat(helper.toFile().setExecutable(true)).isTrue();
    Path config = dir.resolve("helper-config.json");
    Files.writeString(config, "{\"credHelpers\":{\"" + registry.hostPort() + "\":\"it\"}}");
    DockerConfigCredentials source = new DockerConfigCredentials(config, List.of(bin));
    assertThat(source.lookup(registry.hostPort()))
        .isEqualTo(
            Optional.of(Credentials.basic(Registries.TOKEN_USER, Registries.TOKEN_PASSWORD)));
    try (RegistryClient client = RegistryClient.builder().credentials(source).build()) {
      push(client, registry.hostPort() + "/auth/helper:1.0");
      assertThat(Registries.tokenIssuer().lastAuthorization())
          .isEqualTo(TokenIssuer.AuthorizationType.BASIC);
    }
  }
}
