package dev.strata.registry;

/** A manifest strata cannot use: Docker schema 1, an unknown media type, no matching platform. */
public final class UnsupportedManifestException extends RegistryException {
  private static final long serialVersionUID = 1L;

  public UnsupportedManifestException(String message) {
    super(message);
  }
}
