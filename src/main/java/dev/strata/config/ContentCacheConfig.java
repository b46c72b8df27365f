package dev.strata.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The cluster ContentCache, tier 2 of the read path ({@code contentcache:} in the file).
 *
 * @param addresses servers ({@code HOST:PORT}); the tier is off when empty
 * @param tokenFile a file holding the bearer token the servers expect; none when empty
 * @param replicas servers that hold each layer (a layer is read from and published to this many)
 * @param deadline how long one request may take before the tier counts as unavailable for it
 */
public record ContentCacheConfig(
    List<HostPort> addresses, Optional<Path> tokenFile, int replicas, Duration deadline) {
  public static final int DEFAULT_REPLICAS = 2;
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(1);

  public ContentCacheConfig {
    addresses = List.copyOf(addresses);
    Objects.requireNonNull(tokenFile, "tokenFile");
    if (replicas < 1) {
      throw new IllegalArgumentException("replicas: " + replicas + " must be 1 or more");
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("deadline: must be above 0");
    }
  }

  public static ContentCacheConfig defaults() {
    return new ContentCacheConfig(List.of(), Optional.empty(), DEFAULT_REPLICAS, DEFAULT_DEADLINE);
  }

  /** Whether tier 2 is on. */
  public boolean enabled() {
    return !addresses.isEmpty();
  }

  public ContentCacheConfig withAddresses(List<HostPort> servers) {
    return new ContentCacheConfig(servers, tokenFile, replicas, deadline);
  }

  @JsonCreator
  static ContentCacheConfig fromFile(
      @JsonProperty("addresses") @JsonDeserialize(contentUsing = Scalars.Address.class)
          List<HostPort> addresses,
      @JsonProperty("token_file") @JsonDeserialize(using = Scalars.AbsolutePath.class)
          Path tokenFile,
      @JsonProperty("replicas") Integer replicas,
      @JsonProperty("deadline") @JsonDeserialize(using = Scalars.Deadline.class)
          Duration deadline) {
    return new ContentCacheConfig(
        addresses == null ? List.of() : addresses,
        Optional.ofNullable(tokenFile),
        replicas == null ? DEFAULT_REPLICAS : replicas,
        deadline == null ? DEFAULT_DEADLINE : deadline);
  }
}
