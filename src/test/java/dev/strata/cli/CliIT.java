package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.testing.BuiltLayout;
import dev.strata.testing.OciLayouts;
import dev.strata.testing.Registries;
import dev.strata.testing.RegistryServer;
import dev.strata.testing.StrataCli;
import dev.strata.testing.StrataCli.Run;
import dev.strata.testing.TokenIssuer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code daemon/bin/strata} run as a process, as users and scripts run it. */
class CliIT {
  @TempDir static Path dir;
  static RegistryServer registry;
  static BuiltLayout single;
  static BuiltLayout multiArch;

  @BeforeAll
  static void pushImages() {
    registry = Registries.plain();
    single = OciLayouts.multiLayer(dir.resolve("single"), "1.0", 2, 41);
    multiArch = OciLayouts.multiPlatform(dir.resolve("multiarch"), "1.0", 42);
    OciLayouts.pushWithSkopeo(single.layoutDir(), "1.0", registry.hostPort() + "/cli/app:1.0");
    OciLayouts.pushWithSkopeo(multiArch.layoutDir(), "1.0", registry.hostPort() + "/cli/multi:1.0");
  }

  static Run strata(Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    Map<String, String> withConfig = new java.util.HashMap<>();
    withConfig.put("DOCKER_CONFIG", dir.resolve("no-docker-config").toString());
    withConfig.putAll(env);
    return StrataCli.run(withConfig, args);
  }

  static Run strata(String... args) throws IOException, InterruptedException {
    return StrataCli.run(args);
  }

  @Test
  void infoPrintsTheLayerTableAndJsonSaysTheSame() throws Exception {
    String ref = registry.hostPort() + "/cli/app:1.0";
    Run table = strata("info", ref);
    assertThat(table.status()).as(table.err()).isZero();
    assertThat(table.out())
        .contains("manifest:  " + single.digest())
        .contains("platform:  linux/amd64");
    for (BuiltLayout.Layer layer : single.image().layers()) {
      assertThat(table.out())
          .containsPattern("(?m)^\\d +" + layer.digest() + " .* " + layer.diffId() + "$");
    }
    Run json = strata("info", "--json", ref);
    assertThat(json.status()).isZero();
    JsonNode root = new ObjectMapper().readTree(json.out());
    assertThat(root.path("manifestDigest").asText()).isEqualTo(single.digest());
    assertThat(root.path("configDigest").asText()).isEqualTo(single.image().configDigest());
    assertThat(root.path("layers")).hasSize(2);
    for (int i = 0; i < 2; i++) {
      JsonNode layer = root.path("layers").get(i);
      BuiltLayout.Layer built = single.image().layers().get(i);
      assertThat(layer.path("index").asInt()).isEqualTo(i);
      assertThat(layer.path("digest").asText()).isEqualTo(built.digest());
      assertThat(layer.path("size").asLong()).isEqualTo(built.size());
      assertThat(layer.path("diffId").asText()).isEqualTo(built.diffId());
      assertThat(layer.path("mediaType").asText()).isEqualTo(OciLayouts.LAYER_MEDIA_TYPE);
    }
  }

  @Test
  void aMultiPlatformImageResolvesToTheHostAndPlatformSelectsAnother() throws Exception {
    String ref = registry.hostPort() + "/cli/multi:1.0";
    Run host = strata("info", "--json", ref);
    assertThat(host.status()).as(host.err()).isZero();
    JsonNode hostJson = new ObjectMapper().readTree(host.out());
    assertThat(hostJson.path("platform").asText()).isEqualTo("linux/amd64");
    assertThat(hostJson.path("manifestDigest").asText())
        .isEqualTo(multiArch.image("linux/amd64").manifestDigest());
    assertThat(hostJson.path("indexDigest").asText()).isEqualTo(multiArch.digest());

    Run arm = strata("--platform", "linux/arm/v7", "info", "--json", ref);
    assertThat(new ObjectMapper().readTree(arm.out()).path("manifestDigest").asText())
        .isEqualTo(multiArch.image("linux/arm/v7").manifestDigest());
    Run armAfter = strata("info", ref, "--platform", "linux/arm64");
    assertThat(armAfter.out()).contains(multiArch.image("linux/arm64/v8").manifestDigest());

    Run none = strata("info", ref, "--platform", "linux/riscv64");
    assertThat(none.status()).isEqualTo(1);
    assertThat(none.err().strip())
        .startsWith("strata: ")
        .contains("no image for platform linux/riscv64")
        .contains("linux/arm/v7")
        .doesNotContain("\n");
  }

  @Test
  void pushThenTagsAndCatalog() throws Exception {
    Path archive = dir.resolve("app.tar");
    Process skopeo =
        new ProcessBuilder(
                "skopeo",
                "--insecure-policy",
                "copy",
                "oci:" + single.layoutDir() + ":1.0",
                "docker-archive:" + archive + ":cli/app:1.0")
            .redirectErrorStream(true)
            .start();
    assertThat(skopeo.waitFor(60, TimeUnit.SECONDS) && skopeo.exitValue() == 0).isTrue();

    Run fromLayout =
        strata(
            "push", "oci:" + single.layoutDir() + ":1.0", registry.hostPort() + "/cli/pushed:oci");
    assertThat(fromLayout.status()).as(fromLayout.err()).isZero();
    assertThat(fromLayout.out())
        .contains("pushed " + registry.hostPort() + "/cli/pushed:oci@" + single.digest());
    Run fromArchive =
        strata("push", "docker-archive:" + archive, registry.hostPort() + "/cli/pushed:archive");
    assertThat(fromArchive.status()).as(fromArchive.err()).isZero();
    assertThat(fromArchive.out()).contains("uploaded").contains("pushed ");

    Run tags = strata("tags", registry.hostPort() + "/cli/pushed");
    assertThat(tags.out().lines().toList()).containsExactlyInAnyOrder("oci", "archive");
    Run catalog = strata("catalog", registry.hostPort());
    assertThat(catalog.out().lines().toList()).contains("cli/app", "cli/multi", "cli/pushed");
  }

  @Test
  void exitStatusesFollowTheContract() throws Exception {
    assertThat(strata("--version").out()).startsWith("strata ");
    assertThat(strata("--help").out()).contains("info").contains("push").contains("--platform");
    assertThat(strata("info").status()).isEqualTo(2); // missing IMAGE
    assertThat(strata("nonsense").status()).isEqualTo(2);
    Run bad = strata("info", "UPPER/case");
    assertThat(bad.status()).isEqualTo(2);
    assertThat(bad.err()).contains("repository name must be lowercase");
    Run missing = strata("info", registry.hostPort() + "/cli/absent:1");
    assertThat(missing.status()).isEqualTo(1);
    assertThat(missing.err().strip()).contains("not found").doesNotContain("\tat ");
    Run debug = strata("--debug", "info", registry.hostPort() + "/cli/absent:1");
    assertThat(debug.err()).contains("\tat ").contains("GET http://" + registry.hostPort());
  }

  @Test
  void completionScriptsAreGenerated() throws Exception {
    Run bash = strata("completion", "bash");
    assertThat(bash.status()).isZero();
    assertThat(bash.out()).contains("complete -F").contains("info").contains("push");
    assertThat(strata("completion", "zsh").out()).contains("bashcompinit");
  }

  @Test
  void credentialsAndTokensNeverReachTheLogs() throws Exception {
    RegistryServer tokenRegistry = Registries.tokenAuth();
    TokenIssuer issuer = Registries.tokenIssuer();
    Path config = Files.createDirectories(dir.resolve("docker"));
    String auth =
        Base64.getEncoder()
            .encodeToString(
                (Registries.TOKEN_USER + ":" + Registries.TOKEN_PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
    Files.writeString(
        config.resolve("config.json"),
        "{\"auths\":{\"" + tokenRegistry.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
    Map<String, String> env = Map.of("DOCKER_CONFIG", config.toString());
    Run push =
        strata(
            env,
            "--debug",
            "push",
            "oci:" + single.layoutDir() + ":1.0",
            tokenRegistry.hostPort() + "/cli/secret:1");
    assertThat(push.status()).as(push.err()).isZero();
    Run info = strata(env, "--debug", "info", tokenRegistry.hostPort() + "/cli/secret:1");
    assertThat(info.status()).as(info.err()).isZero();
    assertThat(issuer.tokensIssued()).isPositive();
    String everything = push.out() + push.err() + info.out() + info.err();
    assertThat(everything)
        .contains("GET http://" + tokenRegistry.hostPort()); // debug logging is on
    assertThat(everything)
        .doesNotContain(Registries.TOKEN_PASSWORD)
        .doesNotContain(auth)
        .doesNotContainPattern("eyJ[A-Za-z0-9_-]{10,}"); // no JWT
  }
}
