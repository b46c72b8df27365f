package dev.strata.registry.auth;

import java.util.Optional;

/** Where credentials for a registry come from. */
@FunctionalInterface
public interface CredentialSource {
  /**
   * Credentials for a registry host ({@code docker.io}, {@code host:port}), if any are known.
   *
   * @throws CredentialException when a configured source exists but fails (a helper crashing)
   */
  Optional<Credentials> lookup(String registry) throws CredentialException;

  static CredentialSource none() {
    return registry -> Optional.empty();
  }

  /** The first source that has credentials wins. */
  default CredentialSource or(CredentialSource next) {
    return registry -> {
      Optional<Credentials> found = lookup(registry);
      return found.isPresent() ? found : next.lookup(registry);
    };
  }
}
