package dev.strata.registry;

/** An image reference that does not follow Docker's reference grammar. */
public final class InvalidReferenceException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidReferenceException(String reference, String why) {
    super("invalid image reference '" + reference + "': " + why);
  }
}
