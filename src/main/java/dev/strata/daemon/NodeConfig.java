package dev.strata.daemon;

import dev.strata.cachewriter.ClusterBlobs;
import dev.strata.config.ContentCacheConfig;
import dev.strata.config.HostPort;
import dev.strata.config.StrataConfig;
import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.mount.Node;
import dev.strata.registry.BlobCache;
import dev.strata.registry.RegistryClient;
import dev.strata.registry.RetryPolicy;
import dev.strata.registry.auth.CredentialSource;
import dev.strata.registry.auth.DockerConfigCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/** The {@link Node} a configuration describes, and the ContentCache client it reads through. */
final class NodeConfig {
  private NodeConfig() {}

  /** The ContentCache client when servers are configured; the caller closes it. */
  static Optional<ContentCacheClient> contentCache(ContentCacheConfig config) throws IOException {
    if (!config.enabled()) {
      return Optional.empty();
    }
    String token =
        config.tokenFile().isPresent() ? Files.readString(config.tokenFile().get()).strip() : null;
    ContentCacheClient client =
        ContentCacheClient.builder()
            .servers(config.addresses().stream().map(HostPort::toString).toList())
            .bearerToken(token)
            .replication(config.replicas())
            .readDeadline(config.deadline())
            .build();
    client.connect(Duration.ofSeconds(3));
    return Optional.of(client);
  }

  static Node node(StrataConfig config, Optional<ContentCacheClient> contentCache) {
    return new Node(
        config.stateDir(),
        config.cacheDir(),
        config.cacheMaxBytes(),
        config.memoryCacheBytes(),
        config.platformOrHost(),
        () -> registryClient(config, contentCache),
        contentCache);
  }

  static RegistryClient registryClient(
      StrataConfig config, Optional<ContentCacheClient> contentCache) {
    BlobCache.Shared shared = contentCache.map(ClusterBlobs::new).orElse(null);
    return RegistryClient.builder()
        .credentials(credentials(config))
        .retryPolicy(RetryPolicy.DEFAULT.withMaxRetries(config.registries().retries()))
        .insecureRegistries(new HashSet<>(config.registries().insecure()))
        .mirrors(config.registries().mirrors())
        .blobCache(new BlobCache(config.stateDir().resolve("blobs"), shared))
        .build();
  }

  private static CredentialSource credentials(StrataConfig config) {
    return config
        .registries()
        .dockerConfig()
        .<CredentialSource>map(
            file -> {
              String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
              List<java.nio.file.Path> helpers =
                  Arrays.stream(path.split(java.io.File.pathSeparator))
                      .filter(p -> !p.isEmpty())
                      .map(java.nio.file.Path::of)
                      .toList();
              return new DockerConfigCredentials(file, helpers);
            })
        .orElseGet(DockerConfigCredentials::fromEnvironment);
  }
}
