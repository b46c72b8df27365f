package dev.strata.index;

import java.io.IOException;

/** A layer strata cannot index: its media type, or a tar it refuses (hostile or malformed). */
public final class UnsupportedLayerException extends IOException {
  private static final long serialVersionUID = 1L;

  public UnsupportedLayerException(String message) {
    super(message);
  }
}
