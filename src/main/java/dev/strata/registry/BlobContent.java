package dev.strata.registry;

import java.io.IOException;
import java.io.InputStream;

/** Bytes to upload as a blob; readable more than once, from any offset, so uploads can retry. */
public interface BlobContent {
  /** A stream of {@code length} bytes starting at {@code offset}. */
  InputStream open(long offset, long length) throws IOException;
}
