package dev.strata.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.strata.history.StateDirs;
import dev.strata.registry.Platform;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * strata's configuration: what {@code daemon/conf/strata.yaml} documents, key for key, with the
 * same defaults (a test holds the two together). Immutable and valid once built: every constructor
 * checks its values, so a bad file fails at start, not later.
 *
 * <p>Load a file with {@link #load(Path)}; apply command-line options with {@link
 * #withOverrides(ConfigOverrides)}.
 *
 * @param stateDir indexes and the history database
 * @param cacheDir the disk span cache; {@code <stateDir>/cache} unless set
 * @param cacheMaxBytes bound of the disk span cache (LRU)
 * @param memoryCacheBytes bound of the in-memory hot-span tier
 * @param platform {@code OS/ARCH[/VARIANT]} picked from multi-platform images; empty for this host
 * @param logLevel error, warn, info, debug or trace
 */
public record StrataConfig(
    Path stateDir,
    Path cacheDir,
    long cacheMaxBytes,
    long memoryCacheBytes,
    Optional<String> platform,
    LogLevel logLevel,
    RegistryConfig registries,
    ContentCacheConfig contentcache,
    AdminConfig admin,
    List<MountEntry> mounts) {
  public static final long DEFAULT_CACHE_MAX_BYTES = 10L << 30;
  public static final long DEFAULT_MEMORY_CACHE_BYTES = 256L << 20;
  public static final LogLevel DEFAULT_LOG_LEVEL = LogLevel.INFO;

  /** Where the installed daemon reads its configuration. */
  public static final Path SYSTEM_FILE = Path.of("/etc/strata/strata.yaml");

  public StrataConfig {
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(cacheDir, "cacheDir");
    requirePositive("cache_max_bytes", cacheMaxBytes);
    requirePositive("memory_cache_bytes", memoryCacheBytes);
    platform = platform.filter(p -> !p.isBlank());
    platform.ifPresent(Platform::parse);
    Objects.requireNonNull(logLevel, "logLevel");
    Objects.requireNonNull(registries, "registries");
    Objects.requireNonNull(contentcache, "contentcache");
    Objects.requireNonNull(admin, "admin");
    mounts = List.copyOf(mounts);
    Set<Path> mountpoints = new HashSet<>();
    for (int i = 0; i < mounts.size(); i++) {
      if (!mountpoints.add(mounts.get(i).mountpoint())) {
        throw new IllegalArgumentException(
            "mounts[" + i + "]: mountpoint " + mounts.get(i).mountpoint() + " is used twice");
      }
    }
  }

  /** The defaults, with this process's state directory (/var/lib/strata for root). */
  public static StrataConfig defaults() {
    return defaults(StateDirs.resolve(null));
  }

  /** The defaults with {@code stateDir}; the cache lives under it. */
  public static StrataConfig defaults(Path stateDir) {
    return new StrataConfig(
        stateDir,
        stateDir.resolve("cache"),
        DEFAULT_CACHE_MAX_BYTES,
        DEFAULT_MEMORY_CACHE_BYTES,
        Optional.empty(),
        DEFAULT_LOG_LEVEL,
        RegistryConfig.defaults(),
        ContentCacheConfig.defaults(),
        AdminConfig.defaults(),
        List.of());
  }

  /**
   * Reads and checks a YAML configuration file; keys left out take their defaults.
   *
   * @throws ConfigException naming the file, the position, the key and what is wrong
   */
  public static StrataConfig load(Path file) {
    return ConfigLoader.load(file);
  }

  /** Reads configuration text; {@code source} names it in errors. */
  public static StrataConfig parse(String yaml, String source) {
    return ConfigLoader.parse(yaml, source);
  }

  /**
   * This configuration with the command-line options that were given; an option given replaces the
   * file's value (lists too). A cache directory that was {@code <stateDir>/cache} follows a new
   * state directory.
   *
   * @throws ConfigException when an option's value is invalid
   */
  public StrataConfig withOverrides(ConfigOverrides o) {
    return o.applyTo(this);
  }

  /** The platform to pick from multi-platform images. */
  public Platform platformOrHost() {
    return platform.map(Platform::parse).orElseGet(Platform::host);
  }

  @JsonCreator
  static StrataConfig fromFile(
      @JsonProperty("state_dir") @JsonDeserialize(using = Scalars.AbsolutePath.class) Path stateDir,
      @JsonProperty("cache_dir") @JsonDeserialize(using = Scalars.AbsolutePath.class) Path cacheDir,
      @JsonProperty("cache_max_bytes") @JsonDeserialize(using = Scalars.Size.class)
          Long cacheMaxBytes,
      @JsonProperty("memory_cache_bytes") @JsonDeserialize(using = Scalars.Size.class)
          Long memoryCacheBytes,
      @JsonProperty("platform") String platform,
      @JsonProperty("log_level") @JsonDeserialize(using = Scalars.Level.class) LogLevel logLevel,
      @JsonProperty("registries") RegistryConfig registries,
      @JsonProperty("contentcache") ContentCacheConfig contentcache,
      @JsonProperty("admin") AdminConfig admin,
      @JsonProperty("mounts") List<MountEntry> mounts) {
    Path state = stateDir != null ? stateDir : StateDirs.resolve(null);
    return new StrataConfig(
        state,
        cacheDir != null ? cacheDir : state.resolve("cache"),
        cacheMaxBytes != null ? cacheMaxBytes : DEFAULT_CACHE_MAX_BYTES,
        memoryCacheBytes != null ? memoryCacheBytes : DEFAULT_MEMORY_CACHE_BYTES,
        Optional.ofNullable(platform),
        logLevel != null ? logLevel : DEFAULT_LOG_LEVEL,
        registries != null ? registries : RegistryConfig.defaults(),
        contentcache != null ? contentcache : ContentCacheConfig.defaults(),
        admin != null ? admin : AdminConfig.defaults(),
        mounts != null ? mounts : List.of());
  }

  private static void requirePositive(String key, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + ": " + value + " must be above 0");
    }
  }
}
