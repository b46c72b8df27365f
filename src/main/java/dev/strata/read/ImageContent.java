package dev.strata.read;

import dev.strata.index.LayerIndex;
import dev.strata.index.Span;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File contents of an image by (layer, uncompressed offset), served from the tiered spans. A read
 * that continues where the previous read of the layer ended triggers read-ahead of the next spans
 * of the same file in the background.
 */
public final class ImageContent {
  private static final Logger log = LoggerFactory.getLogger(ImageContent.class);
  private static final int READ_AHEAD_SPANS = 2;

  private final List<LayerIndex> layers;
  private final TieredSpans spans;
  private final AtomicIntegerArray lastSpan;

  public ImageContent(List<LayerIndex> layers, TieredSpans spans) {
    this.layers = List.copyOf(layers);
    this.spans = spans;
    this.lastSpan = new AtomicIntegerArray(layers.size());
    for (int i = 0; i < layers.size(); i++) {
      lastSpan.set(i, -2);
    }
  }

  public TieredSpans spans() {
    return spans;
  }

  public List<LayerIndex> layers() {
    return layers;
  }

  /** Exactly {@code length} bytes of layer {@code layer} from {@code offset}, verified. */
  public void read(int layer, long offset, byte[] buffer, int bufferOffset, int length)
      throws IOException {
    read(layer, offset, buffer, bufferOffset, length, Long.MAX_VALUE);
  }

  /**
   * As {@link #read(int, long, byte[], int, int)}; read-ahead stops at {@code extentEnd}, the end
   * of the file being read, so a small file's reader does not pull in its neighbours' spans.
   */
  public void read(
      int layer, long offset, byte[] buffer, int bufferOffset, int length, long extentEnd)
      throws IOException {
    if (length == 0) {
      return;
    }
    LayerIndex index = layers.get(layer);
    int first = index.spanAt(offset).index();
    int last = index.spanAt(offset + length - 1).index();
    List<byte[]> data = spans.spans(index, first, last);
    int written = 0;
    for (int i = first; i <= last; i++) {
      Span span = index.span(i);
      long from = Math.max(offset, span.start());
      long to = Math.min(offset + length, span.end());
      System.arraycopy(
          data.get(i - first),
          (int) (from - span.start()),
          buffer,
          bufferOffset + written,
          (int) (to - from));
      written += (int) (to - from);
    }
    int previous = lastSpan.getAndSet(layer, last);
    if (previous == first - 1) { // moved on into the next span: fetch ahead of the reader
      long end = Math.min(extentEnd, index.uncompressedSize());
      if (end > index.span(last).end()) {
        readAhead(index, last + 1, index.spanAt(end - 1).index());
      }
    }
  }

  private void readAhead(LayerIndex index, int from, int lastOfFile) {
    int to = Math.min(lastOfFile, from + READ_AHEAD_SPANS - 1);
    if (from > to) {
      return;
    }
    Thread.ofVirtual()
        .name("strata-read-ahead")
        .start(
            () -> {
              try {
                spans.spans(index, from, to);
              } catch (IOException e) {
                log.debug("read-ahead of spans {}..{} failed: {}", from, to, e.getMessage());
              }
            });
  }
}
