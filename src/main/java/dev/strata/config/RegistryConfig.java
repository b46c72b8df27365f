package dev.strata.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How registries are spoken to ({@code registries:} in the file).
 *
 * @param insecure registries ({@code HOST[:PORT]}) spoken to over plain HTTP; loopback registries
 *     always are
 * @param mirrors per registry host, mirrors tried before it, in order: {@code docker.io:
 *     [mirror.local:5000]}
 * @param retries retries of a failed idempotent request, 0 to {@value #MAX_RETRIES}
 * @param dockerConfig Docker's {@code config.json} holding credentials; empty for Docker's own rule
 *     ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json})
 */
public record RegistryConfig(
    List<String> insecure,
    Map<String, List<String>> mirrors,
    int retries,
    Optional<Path> dockerConfig) {
  public static final int DEFAULT_RETRIES = 3;
  public static final int MAX_RETRIES = 100;

  public RegistryConfig {
    insecure = List.copyOf(insecure);
    insecure.forEach(Scalars::registryHost);
    Map<String, List<String>> copy = new LinkedHashMap<>();
    mirrors.forEach(
        (registry, hosts) -> {
          Scalars.registryHost(registry);
          if (hosts == null || hosts.isEmpty()) {
            throw new IllegalArgumentException(
                "mirrors." + registry + ": empty (list one mirror or more, or drop the key)");
          }
          hosts.forEach(Scalars::registryHost);
          copy.put(registry, List.copyOf(hosts));
        });
    mirrors = java.util.Collections.unmodifiableMap(copy);
    if (retries < 0 || retries > MAX_RETRIES) {
      throw new IllegalArgumentException(
          "retries: " + retries + " is out of range 0-" + MAX_RETRIES);
    }
  }

  public static RegistryConfig defaults() {
    return new RegistryConfig(List.of(), Map.of(), DEFAULT_RETRIES, Optional.empty());
  }

  public RegistryConfig withInsecure(List<String> hosts) {
    return new RegistryConfig(hosts, mirrors, retries, dockerConfig);
  }

  public RegistryConfig withRetries(int n) {
    return new RegistryConfig(insecure, mirrors, n, dockerConfig);
  }

  @JsonCreator
  static RegistryConfig fromFile(
      @JsonProperty("insecure") @JsonDeserialize(contentUsing = Scalars.RegistryHost.class)
          List<String> insecure,
      @JsonProperty("mirrors") Map<String, List<String>> mirrors,
      @JsonProperty("retries") Integer retries,
      @JsonProperty("docker_config") @JsonDeserialize(using = Scalars.AbsolutePath.class)
          Path dockerConfig) {
    return new RegistryConfig(
        insecure == null ? List.of() : insecure,
        mirrors == null ? Map.of() : mirrors,
        retries == null ? DEFAULT_RETRIES : retries,
        Optional.ofNullable(dockerConfig));
  }
}
