package dev.strata.index;

import java.io.IOException;

/**
 * Receives a layer's uncompressed stream as it is decompressed: each checkpoint just before the
 * data that follows it, and the data in order, in chunks of any size.
 */
public interface DecompressedSink {
  void checkpoint(Checkpoint checkpoint) throws IOException;

  void data(byte[] buffer, int offset, int length) throws IOException;
}
