package dev.strata.cli;

import dev.strata.cachewriter.ClusterBlobs;
import dev.strata.config.ConfigOverrides;
import dev.strata.config.LogLevel;
import dev.strata.config.StrataConfig;
import dev.strata.contentcache.client.ContentCacheClient;
import dev.strata.mount.Node;
import dev.strata.registry.BlobCache;
import dev.strata.registry.ImageRef;
import dev.strata.registry.Platform;
import dev.strata.registry.RegistryClient;
import dev.strata.registry.RetryPolicy;
import dev.strata.registry.auth.DockerConfigCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every command takes (see CLI.md); inherited by subcommands. */
final class GlobalOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Configuration file.")
  Path config;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "Indexes and the history database (default /var/lib/strata for root).")
  Path stateDir;

  @Option(
      names = "--cache-dir",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "Span cache (default: under the state directory).")
  Path cacheDir;

  @Option(
      names = "--cache-max-bytes",
      paramLabel = "N",
      scope = ScopeType.INHERIT,
      description = "Bound of the span cache.")
  Long cacheMaxBytes;

  @Option(
      names = "--insecure-registry",
      paramLabel = "HOST[:PORT]",
      scope = ScopeType.INHERIT,
      description =
          "Speak plain HTTP to this registry (repeatable). Loopback registries always do.")
  List<String> insecureRegistries = new ArrayList<>();

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      scope = ScopeType.INHERIT,
      description = "Platform to pick from a multi-platform image (default: this host).")
  String platform;

  @Option(
      names = "--contentcache",
      paramLabel = "ADDR[,ADDR...]",
      split = ",",
      scope = ScopeType.INHERIT,
      description = "ContentCache servers (tier 2 of the read path; off when not given).")
  List<String> contentCache = new ArrayList<>();

  @Option(
      names = "--contentcache-token-file",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "File holding the bearer token the ContentCache servers require.")
  Path contentCacheTokenFile;

  @Option(
      names = "--contentcache-ca",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Speak TLS to the ContentCache servers, trusting these PEM certificates.")
  Path contentCacheCa;

  @Option(
      names = "--contentcache-replicas",
      paramLabel = "N",
      scope = ScopeType.INHERIT,
      description = "Servers each content is stored on (default ${DEFAULT-VALUE}).")
  int contentCacheReplicas = 1;

  @Option(
      names = "--retries",
      paramLabel = "N",
      scope = ScopeType.INHERIT,
      description = "Retries of a failed registry request (default 3).")
  Integer retries; // null: not given (the configuration file's value stands)

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Log what is done (requests retried, tiers chosen).")
  boolean verbose;

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "Log every request; show stack traces of errors.")
  boolean debug;

  @Option(
      names = "--no-progress",
      scope = ScopeType.INHERIT,
      description = "No progress bars, even on a terminal.")
  boolean noProgress;

  /**
   * The state directory: {@code --state-dir}, else the {@code --config} file's {@code state_dir}
   * when a file is given, else the default for this user.
   */
  Path stateDir() {
    if (stateDir == null && config != null) {
      return fileConfig().stateDir();
    }
    return dev.strata.history.StateDirs.resolve(stateDir);
  }

  private StrataConfig fileConfig;

  /** The {@code --config} file, read once; only called when one is given. */
  private StrataConfig fileConfig() {
    if (fileConfig == null) {
      fileConfig = StrataConfig.load(config);
    }
    return fileConfig;
  }

  /** The options given that override a configuration file ({@code null}: not given). */
  ConfigOverrides overrides(String adminListen) {
    LogLevel level = debug ? LogLevel.DEBUG : verbose ? LogLevel.INFO : null;
    return new ConfigOverrides(
        stateDir,
        cacheDir,
        cacheMaxBytes,
        insecureRegistries,
        platform,
        contentCache,
        retries,
        level,
        adminListen);
  }

  /** This node as the options describe it, with {@code contentCache} as its tier 2. */
  Node node(Optional<ContentCacheClient> contentCache) {
    return new Node(
        stateDir(),
        cacheDir(),
        cacheMaxBytes(),
        256L << 20,
        platform(),
        () -> registryClient(contentCache),
        contentCache);
  }

  /**
   * The span cache: {@code --cache-dir}, else the {@code --config} file's, else {@code
   * <state>/cache}.
   */
  Path cacheDir() {
    if (cacheDir == null && config != null) {
      return fileConfig().withOverrides(overrides(null)).cacheDir();
    }
    return cacheDir != null ? cacheDir : stateDir().resolve("cache");
  }

  /** {@code --cache-max-bytes}, else the {@code --config} file's, else 10 GiB. */
  long cacheMaxBytes() {
    if (cacheMaxBytes == null && config != null) {
      return fileConfig().cacheMaxBytes();
    }
    return cacheMaxBytes != null ? cacheMaxBytes : 10L << 30;
  }

  Platform platform() {
    return platform == null ? Platform.host() : Platform.parse(platform);
  }

  ImageRef image(String reference) {
    return ImageRef.parse(reference);
  }

  /** The ContentCache client when {@code --contentcache} names servers; the caller closes it. */
  Optional<ContentCacheClient> contentCacheClient() throws java.io.IOException {
    if (contentCache.isEmpty()) {
      return Optional.empty();
    }
    String token =
        contentCacheTokenFile == null ? null : Files.readString(contentCacheTokenFile).strip();
    ContentCacheClient client =
        ContentCacheClient.builder()
            .servers(contentCache)
            .bearerToken(token)
            .trustCertificates(contentCacheCa)
            .replication(contentCacheReplicas)
            .build();
    client.connect(java.time.Duration.ofSeconds(3));
    return Optional.of(client);
  }

  RegistryClient registryClient() {
    return registryClient(Optional.empty());
  }

  /** A registry client whose config cache is backed by the ContentCache, when there is one. */
  RegistryClient registryClient(Optional<ContentCacheClient> contentCache) {
    BlobCache.Shared shared = contentCache.map(ClusterBlobs::new).orElse(null);
    return RegistryClient.builder()
        .credentials(DockerConfigCredentials.fromEnvironment())
        .retryPolicy(
            RetryPolicy.DEFAULT.withMaxRetries(
                retries != null ? retries : RetryPolicy.DEFAULT.maxRetries()))
        .insecureRegistries(new HashSet<>(insecureRegistries))
        .mirrors(config != null ? fileConfig().registries().mirrors() : java.util.Map.of())
        .blobCache(new BlobCache(stateDir().resolve("blobs"), shared))
        .build();
  }
}
