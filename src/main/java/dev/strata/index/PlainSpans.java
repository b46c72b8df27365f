package dev.strata.index;

import java.io.IOException;
import java.io.InputStream;

/** An uncompressed tar layer: spans are plain byte ranges of the blob, cut every span target. */
final class PlainSpans {
  private static final byte[] NO_WINDOW = new byte[0];

  private PlainSpans() {}

  static long run(InputStream blob, long spanTarget, DecompressedSink sink) throws IOException {
    byte[] buffer = new byte[1 << 17];
    long position = 0;
    long nextCheckpoint = 0;
    for (int n; (n = blob.read(buffer)) > 0; ) {
      int offset = 0;
      while (offset < n) {
        if (position == nextCheckpoint) {
          sink.checkpoint(new Checkpoint(position, position, 0, NO_WINDOW, 0));
          nextCheckpoint += spanTarget;
        }
        int chunk = (int) Math.min(n - offset, nextCheckpoint - position);
        sink.data(buffer, offset, chunk);
        offset += chunk;
        position += chunk;
      }
    }
    return position;
  }
}
