package dev.strata.registry.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConfigCredentialsTest {
  @TempDir Path dir;

  private DockerConfigCredentials config(String json) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, json);
    return new DockerConfigCredentials(file, List.of(dir.resolve("bin")));
  }

  /** A real docker-credential-NAME program speaking the helper protocol. */
  private void helper(String name, String script) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path program = bin.resolve("docker-credential-" + name);
    Files.writeString(program, "#!/bin/sh\n" + script);
    Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static String auth(String user, String password) {
    return Base64.getEncoder()
        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsInlineAuthsUnderAnySpellingOfTheHost() throws Exception {
    DockerConfigCredentials creds =
        config(
            """
            {"auths":{"https://index.docker.io/v1/":{"auth":"%s"},
                      "http://127.0.0.1:5000":{"auth":"%s"},
                      "ghcr.io":{"username":"u3","password":"p3"}}}
            """
                .formatted(auth("hub", "pw:with:colons"), auth("local", "pw2")));
    assertThat(creds.lookup("docker.io")).contains(Credentials.basic("hub", "pw:with:colons"));
    assertThat(creds.lookup("127.0.0.1:5000")).contains(Credentials.basic("local", "pw2"));
    assertThat(creds.lookup("ghcr.io")).contains(Credentials.basic("u3", "p3"));
    assertThat(creds.lookup("quay.io")).isEmpty();
  }

  @Test
  void identityTokensAreKeptApart() throws Exception {
    DockerConfigCredentials creds =
        config(
            "{\"auths\":{\"r.example\":{\"auth\":\""
                + auth("u", "")
                + "\",\"identitytoken\":\"rt\"}}}");
    Credentials found = creds.lookup("r.example").orElseThrow();
    assertThat(found.hasIdentityToken()).isTrue();
    assertThat(found.identityToken()).isEqualTo("rt");
  }

  @Test
  void credHelpersWinAndSpeakTheHelperProtocol() throws Exception {
    helper(
        "fake",
        """
        read url
        if [ "$1" = get ] && [ "$url" = "r.example:5000" ]; then
          echo '{"ServerURL":"r.example:5000","Username":"helper-user","Secret":"helper-secret"}'
          exit 0
        fi
        echo "credentials not found in native keychain"; exit 1
        """);
    DockerConfigCredentials creds =
        config(
            "{\"credHelpers\":{\"r.example:5000\":\"fake\"},"
                + "\"auths\":{\"r.example:5000\":{\"auth\":\""
                + auth("inline", "x")
                + "\"}}}");
    assertThat(creds.lookup("r.example:5000"))
        .contains(Credentials.basic("helper-user", "helper-secret"));
  }

  @Test
  void credsStoreServesEveryRegistryAndFallsBackToAuths() throws Exception {
    helper(
        "store",
        """
        read url
        if [ "$url" = "https://index.docker.io/v1/" ]; then
          echo '{"Username":"<token>","Secret":"refresh-me"}'; exit 0
        fi
        echo "credentials not found in native keychain"; exit 1
        """);
    DockerConfigCredentials creds =
        config(
            "{\"credsStore\":\"store\",\"auths\":{\"other.example\":{\"auth\":\""
                + auth("o", "p")
                + "\"}}}");
    Credentials hub = creds.lookup("docker.io").orElseThrow();
    assertThat(hub.identityToken()).isEqualTo("refresh-me");
    assertThat(creds.lookup("other.example")).contains(Credentials.basic("o", "p"));
  }

  @Test
  void aMissingOrBrokenHelperIsAClearErrorWithoutSecrets() throws Exception {
    DockerConfigCredentials missing = config("{\"credHelpers\":{\"r.example\":\"absent\"}}");
    assertThatThrownBy(() -> missing.lookup("r.example"))
        .isInstanceOf(CredentialException.class)
        .hasMessageContaining("docker-credential-absent");
    helper("crash", "echo 'secret-in-output' >&2; exit 3\n");
    DockerConfigCredentials crashing = config("{\"credHelpers\":{\"r.example\":\"crash\"}}");
    assertThatThrownBy(() -> crashing.lookup("r.example"))
        .hasMessageContaining("failed with status 3")
        .message()
        .doesNotContain("secret-in-output");
  }

  @Test
  void noConfigFileMeansNoCredentials() throws Exception {
    assertThat(new DockerConfigCredentials(dir.resolve("absent.json"), List.of()).lookup("x"))
        .isEmpty();
  }

  @Test
  void malformedEntriesAreClearErrors() throws Exception {
    DockerConfigCredentials creds = config("{\"auths\":{\"r.example\":{\"auth\":\"%%%\"}}}");
    assertThatThrownBy(() -> creds.lookup("r.example")).hasMessageContaining("not valid base64");
  }
}
