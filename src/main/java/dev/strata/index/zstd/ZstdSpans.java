package dev.strata.index.zstd;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.strata.index.Checkpoint;
import dev.strata.index.DecompressedSink;
import java.io.IOException;
import java.io.InputStream;

/**
 * Decompresses a zstd layer frame by frame. Frame starts are the only places decompression can
 * restart (no window is needed there), so they become checkpoints once at least the span target has
 * been produced since the last one; a single-frame layer is one span.
 */
public final class ZstdSpans {
  private static final byte[] NO_WINDOW = new byte[0];

  private ZstdSpans() {}

  /** Returns the uncompressed size. */
  public static long run(InputStream compressed, long spanTarget, DecompressedSink sink)
      throws IOException {
    ZstdFrameWalker walker = new ZstdFrameWalker(compressed);
    byte[] buffer = new byte[1 << 17];
    long produced = 0;
    long lastCheckpoint = -1;
    while (true) {
      long frameStart = walker.consumed();
      if (!walker.nextFrame()) {
        break;
      }
      if (lastCheckpoint < 0 || produced - lastCheckpoint >= spanTarget) {
        sink.checkpoint(new Checkpoint(produced, frameStart, 0, NO_WINDOW, 0));
        lastCheckpoint = produced;
      }
      try (InputStream frame = new ZstdInputStreamNoFinalizer(walker)) {
        for (int n; (n = frame.read(buffer)) > 0; ) {
          sink.data(buffer, 0, n);
          produced += n;
        }
      }
    }
    if (lastCheckpoint < 0) {
      throw new IOException("empty zstd stream: no frame");
    }
    return produced;
  }

  /** The uncompressed bytes from a frame start on (frames concatenated), for reading spans. */
  public static InputStream inflateFrom(InputStream compressedFromFrameStart) throws IOException {
    ZstdInputStreamNoFinalizer in = new ZstdInputStreamNoFinalizer(compressedFromFrameStart);
    in.setContinuous(false);
    return in;
  }
}
