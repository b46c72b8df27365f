package dev.strata.registry;

/**
 * The registry answered with an HTTP status we cannot proceed with (after any retries).
 *
 * @see #status()
 */
public class RegistryResponseException extends RegistryException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public RegistryResponseException(String message, int status) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public boolean isNotFound() {
    return status == 404;
  }
}
