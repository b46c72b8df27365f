package dev.strata.fs;

import java.io.IOException;

/**
 * File contents by position in a layer's uncompressed tar stream: the read path (memory, disk,
 * ContentCache, registry) sits behind this.
 */
@FunctionalInterface
public interface ContentSource {
  /**
   * Reads exactly {@code length} bytes of layer {@code layer} from {@code offset} into {@code
   * buffer} at {@code bufferOffset}; throws when they cannot be fetched and verified.
   *
   * @param extentEnd where the file being read ends in the layer: a sequential reader makes the
   *     source fetch ahead, but never past the file (the next bytes belong to other files)
   */
  void read(int layer, long offset, byte[] buffer, int bufferOffset, int length, long extentEnd)
      throws IOException;
}
