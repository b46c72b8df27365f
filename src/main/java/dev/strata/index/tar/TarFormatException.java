package dev.strata.index.tar;

import java.io.IOException;

/** A tar stream strata refuses: malformed, hostile (paths escaping the root) or unsupported. */
public final class TarFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public TarFormatException(String message) {
    super(message);
  }
}
