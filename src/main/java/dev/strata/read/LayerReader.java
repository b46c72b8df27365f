package dev.strata.read;

import dev.strata.index.LayerIndex;
import dev.strata.index.Span;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Byte ranges of a layer's uncompressed stream, served span by span from a {@link SpanReader}: a
 * range that covers several spans is fetched with one request.
 */
public final class LayerReader {
  private final LayerIndex index;
  private final SpanReader spans;

  public LayerReader(LayerIndex index, SpanReader spans) {
    this.index = index;
    this.spans = spans;
  }

  public LayerIndex index() {
    return index;
  }

  /** Writes the uncompressed bytes {@code [offset, offset + length)} to {@code out}. */
  public void copy(long offset, long length, OutputStream out) throws IOException {
    if (length == 0) {
      return;
    }
    if (offset < 0 || offset + length > index.uncompressedSize()) {
      throw new IllegalArgumentException(
          "range "
              + offset
              + "+"
              + length
              + " outside the layer's "
              + index.uncompressedSize()
              + " bytes");
    }
    int first = index.spanAt(offset).index();
    int last = index.spanAt(offset + length - 1).index();
    // Bounded batches: a long file is streamed a few spans at a time, not held whole.
    for (int batch = first; batch <= last; batch += 4) {
      int batchLast = Math.min(last, batch + 3);
      List<byte[]> data = spans.readSpans(index, batch, batchLast);
      for (int i = batch; i <= batchLast; i++) {
        Span span = index.span(i);
        long from = Math.max(offset, span.start());
        long to = Math.min(offset + length, span.end());
        out.write(data.get(i - batch), (int) (from - span.start()), (int) (to - from));
      }
    }
  }
}
