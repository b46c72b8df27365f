package dev.strata.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.Objects;

/**
 * The daemon's admin HTTP server ({@code admin:} in the file).
 *
 * @param listen where it listens; loopback by default, so binding elsewhere is an explicit choice
 */
public record AdminConfig(HostPort listen) {
  public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 7311);

  public AdminConfig {
    Objects.requireNonNull(listen, "listen");
  }

  public static AdminConfig defaults() {
    return new AdminConfig(DEFAULT_LISTEN);
  }

  @JsonCreator
  static AdminConfig fromFile(
      @JsonProperty("listen") @JsonDeserialize(using = Scalars.Address.class) HostPort listen) {
    return new AdminConfig(listen == null ? DEFAULT_LISTEN : listen);
  }
}
