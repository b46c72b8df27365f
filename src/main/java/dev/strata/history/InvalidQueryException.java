package dev.strata.history;

/**
 * A history query parameter out of range; the message names the parameter, the value given and the
 * valid values, e.g. {@code invalid sortby 'x': expected one of scraped_at, owner, ...}.
 */
public final class InvalidQueryException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String parameter;

  public InvalidQueryException(String parameter, String message) {
    super(message);
    this.parameter = parameter;
  }

  /** The parameter at fault: {@code q}, {@code page}, {@code page_size}, {@code sortby}, ... */
  public String parameter() {
    return parameter;
  }
}
