package dev.strata.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Command-line options that override the configuration file. A {@code null} value (an empty list
 * for the lists) means the option was not given and the file's value stands; a value given replaces
 * the file's, lists included.
 *
 * @param stateDir {@code --state-dir}
 * @param cacheDir {@code --cache-dir}
 * @param cacheMaxBytes {@code --cache-max-bytes}
 * @param insecureRegistries {@code --insecure-registry} (repeatable)
 * @param platform {@code --platform}
 * @param contentcache {@code --contentcache ADDR[,ADDR...]}
 * @param retries {@code --retries}
 * @param logLevel from {@code --verbose} / {@code --debug} (or a future {@code --log-level})
 * @param adminListen {@code strata daemon --admin-listen HOST:PORT}
 */
public record ConfigOverrides(
    Path stateDir,
    Path cacheDir,
    Long cacheMaxBytes,
    List<String> insecureRegistries,
    String platform,
    List<String> contentcache,
    Integer retries,
    LogLevel logLevel,
    String adminListen) {

  public ConfigOverrides {
    insecureRegistries = insecureRegistries == null ? List.of() : List.copyOf(insecureRegistries);
    contentcache = contentcache == null ? List.of() : List.copyOf(contentcache);
  }

  /** No option given. */
  public static ConfigOverrides none() {
    return new ConfigOverrides(null, null, null, null, null, null, null, null, null);
  }

  /** {@code config} with these options applied; see {@link StrataConfig#withOverrides}. */
  StrataConfig applyTo(StrataConfig config) {
    Path state = stateDir != null ? absolute(stateDir) : config.stateDir();
    Path cache = config.cacheDir();
    if (cacheDir != null) {
      cache = absolute(cacheDir);
    } else if (cache.equals(config.stateDir().resolve("cache"))) {
      cache = state.resolve("cache"); // the derived cache follows the state directory
    }
    RegistryConfig registries = config.registries();
    if (!insecureRegistries.isEmpty()) {
      registries =
          registries.withInsecure(
              check("--insecure-registry", insecureRegistries, Scalars::registryHost));
    }
    if (retries != null) {
      RegistryConfig r = registries;
      registries = option("--retries", () -> r.withRetries(retries));
    }
    ContentCacheConfig contentCache = config.contentcache();
    if (!contentcache.isEmpty()) {
      contentCache =
          contentCache.withAddresses(check("--contentcache", contentcache, HostPort::parse));
    }
    AdminConfig admin =
        adminListen == null
            ? config.admin()
            : new AdminConfig(option("--admin-listen", () -> HostPort.parse(adminListen)));
    if (cacheMaxBytes != null && cacheMaxBytes <= 0) {
      throw new ConfigException("--cache-max-bytes: " + cacheMaxBytes + " must be above 0");
    }
    if (platform != null) {
      option("--platform", () -> dev.strata.registry.Platform.parse(platform));
    }
    return new StrataConfig(
        state,
        cache,
        cacheMaxBytes != null ? cacheMaxBytes : config.cacheMaxBytes(),
        config.memoryCacheBytes(),
        platform != null ? Optional.of(platform) : config.platform(),
        logLevel != null ? logLevel : config.logLevel(),
        registries,
        contentCache,
        admin,
        config.mounts());
  }

  private static Path absolute(Path path) {
    return path.toAbsolutePath().normalize();
  }

  private static <T> List<T> check(String option, List<String> values, Function<String, T> parse) {
    List<T> parsed = new ArrayList<>();
    for (String value : values) {
      parsed.add(option(option, () -> parse.apply(value)));
    }
    return parsed;
  }

  private static <T> T option(String option, java.util.function.Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(option + ": " + e.getMessage(), e);
    }
  }
}
