package dev.strata.registry.auth;

import java.io.IOException;

/** A credential source failed; the message names the source and never holds a secret. */
public final class CredentialException extends IOException {
  private static final long serialVersionUID = 1L;

  public CredentialException(String message) {
    super(message);
  }

  public CredentialException(String message, Throwable cause) {
    super(message, cause);
  }
}
