package dev.strata.registry;

/**
 * The registry refused us: no credentials, wrong credentials, or no access. Never holds secrets.
 */
public final class AuthenticationException extends RegistryResponseException {
  private static final long serialVersionUID = 1L;

  public AuthenticationException(String message, int status) {
    super(message, status);
  }
}
