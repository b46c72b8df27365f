package dev.strata.registry;

/** Content did not hash to the digest it was asked for by; the content must not be used. */
public final class DigestMismatchException extends RegistryException {
  private static final long serialVersionUID = 1L;
  private final Digest expected;
  private final Digest actual;

  public DigestMismatchException(String what, Digest expected, Digest actual) {
    super(
        what + ": digest mismatch, expected " + expected + " but the content hashes to " + actual);
    this.expected = expected;
    this.actual = actual;
  }

  public Digest expected() {
    return expected;
  }

  public Digest actual() {
    return actual;
  }
}
