package dev.strata.registry.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Credentials from Docker's {@code config.json}: {@code credHelpers} (per registry), then {@code
 * credsStore} (all registries), then inline {@code auths}. Helpers are run with the {@code
 * docker-credential-*} protocol: {@code docker-credential-NAME get}, the server URL on stdin, a
 * JSON {@code {Username, Secret}} on stdout.
 */
public final class DockerConfigCredentials implements CredentialSource {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HUB_KEY = "https://index.docker.io/v1/";
  private static final long HELPER_TIMEOUT_SECONDS = 30;

  private final Path configFile;
  private final List<Path> helperSearchPath;

  /**
   * @param helperSearchPath where to look for {@code docker-credential-*} programs
   */
  public DockerConfigCredentials(Path configFile, List<Path> helperSearchPath) {
    this.configFile = configFile;
    this.helperSearchPath = List.copyOf(helperSearchPath);
  }

  /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
  public static DockerConfigCredentials fromEnvironment() {
    String dir = System.getenv("DOCKER_CONFIG");
    Path base =
        dir != null && !dir.isEmpty()
            ? Path.of(dir)
            : Path.of(System.getProperty("user.home"), ".docker");
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    List<Path> searchPath =
        java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
            .filter(p -> !p.isEmpty())
            .map(Path::of)
            .toList();
    return new DockerConfigCredentials(base.resolve("config.json"), searchPath);
  }

  @Override
  public Optional<Credentials> lookup(String registry) throws CredentialException {
    if (!Files.isRegularFile(configFile)) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      root = JSON.readTree(configFile.toFile());
    } catch (IOException e) {
      throw new CredentialException("cannot read " + configFile + ": not valid JSON");
    }
    String helper = root.path("credHelpers").path(registry).asText("");
    if (helper.isEmpty() && isHub(registry)) {
      helper = root.path("credHelpers").path("index.docker.io").asText("");
    }
    if (!helper.isEmpty()) {
      return runHelper(helper, serverUrl(registry));
    }
    String store = root.path("credsStore").asText("");
    if (!store.isEmpty()) {
      Optional<Credentials> stored = runHelper(store, serverUrl(registry));
      if (stored.isPresent()) {
        return stored;
      }
    }
    return inline(root.path("auths"), registry);
  }

  private Optional<Credentials> inline(JsonNode auths, String registry) throws CredentialException {
    Iterator<Map.Entry<String, JsonNode>> entries = auths.properties().iterator();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> entry = entries.next();
      if (!normalizeKey(entry.getKey()).equals(normalizeKey(registry))) {
        continue;
      }
      JsonNode value = entry.getValue();
      String identityToken = value.path("identitytoken").asText("");
      String auth = value.path("auth").asText("");
      String username = value.path("username").asText("");
      String password = value.path("password").asText("");
      if (!auth.isEmpty()) {
        String decoded;
        try {
          decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          throw new CredentialException(
              configFile + ": the auth entry for " + entry.getKey() + " is not valid base64");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
          throw new CredentialException(
              configFile + ": the auth entry for " + entry.getKey() + " is not user:password");
        }
        username = decoded.substring(0, colon);
        password = decoded.substring(colon + 1);
      }
      if (!identityToken.isEmpty() || !username.isEmpty()) {
        return Optional.of(
            new Credentials(username, password, identityToken.isEmpty() ? null : identityToken));
      }
    }
    return Optional.empty();
  }

  private Optional<Credentials> runHelper(String name, String serverUrl)
      throws CredentialException {
    String program = "docker-credential-" + name;
    Path executable =
        helperSearchPath.stream()
            .map(dir -> dir.resolve(program))
            .filter(Files::isExecutable)
            .findFirst()
            .orElseThrow(
                () ->
                    new CredentialException(
                        "credential helper "
                            + program
                            + " (named in "
                            + configFile
                            + ") is not installed on the PATH"));
    Process process;
    try {
      process = new ProcessBuilder(executable.toString(), "get").start();
    } catch (IOException e) {
      throw new CredentialException(
          "credential helper "
              + program
              + " (named in "
              + configFile
              + ") cannot be run: "
              + e.getMessage());
    }
    try (OutputStream stdin = process.getOutputStream()) {
      stdin.write(serverUrl.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // The helper exited without reading its input; its exit status says why.
    }
    try (InputStream stdout = process.getInputStream();
        InputStream stderr = process.getErrorStream()) {
      byte[] out = stdout.readAllBytes();
      stderr.readAllBytes();
      if (!process.waitFor(HELPER_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new CredentialException("credential helper " + program + " timed out");
      }
      String text = new String(out, StandardCharsets.UTF_8).strip();
      if (process.exitValue() != 0) {
        // The protocol reports "credentials not found in native keychain" on stdout with status 1.
        if (text.toLowerCase(java.util.Locale.ROOT).contains("credentials not found")) {
          return Optional.empty();
        }
        throw new CredentialException(
            "credential helper " + program + " failed with status " + process.exitValue());
      }
      JsonNode reply = JSON.readTree(text);
      String username = reply.path("Username").asText("");
      String secret = reply.path("Secret").asText("");
      if (secret.isEmpty()) {
        return Optional.empty();
      }
      // Docker's convention: Username "<token>" means Secret is an identity (refresh) token.
      return Optional.of(
          username.equals("<token>")
              ? new Credentials("", "", secret)
              : new Credentials(username, secret, null));
    } catch (CredentialException e) {
      throw e;
    } catch (IOException e) {
      throw new CredentialException("credential helper " + program + " gave an unreadable answer");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new CredentialException("interrupted while running credential helper " + program);
    }
  }

  private static boolean isHub(String registry) {
    return normalizeKey(registry).equals("docker.io");
  }

  /** The server URL a helper is asked about: Docker Hub's legacy key, else the host. */
  private static String serverUrl(String registry) {
    return isHub(registry) ? HUB_KEY : registry;
  }

  /** {@code https://host:port/v1/} and {@code host:port} name the same registry. */
  static String normalizeKey(String key) {
    String k = key.strip();
    int scheme = k.indexOf("://");
    if (scheme >= 0) {
      k = k.substring(scheme + 3);
    }
    int slash = k.indexOf('/');
    if (slash >= 0) {
      k = k.substring(0, slash);
    }
    k = k.toLowerCase(java.util.Locale.ROOT);
    return switch (k) {
      case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> "docker.io";
      default -> k;
    };
  }
}
