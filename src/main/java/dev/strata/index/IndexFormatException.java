package dev.strata.index;

import java.io.IOException;

/** Bytes that are not a layer index this strata can read (corrupt, or another version). */
public final class IndexFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public IndexFormatException(String message) {
    super(message);
  }
}
