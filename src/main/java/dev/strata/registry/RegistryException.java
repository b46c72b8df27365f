package dev.strata.registry;

import java.io.IOException;

/** Something a registry said or did that stops the operation; the message says what and why. */
public class RegistryException extends IOException {
  private static final long serialVersionUID = 1L;

  public RegistryException(String message) {
    super(message);
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
