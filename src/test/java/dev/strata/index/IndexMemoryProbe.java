package dev.strata.index;

import dev.strata.registry.Digest;
import dev.strata.registry.LayerDescriptor;
import dev.strata.registry.MediaTypes;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM with a small {@code -Xmx} by {@link LayerIndexerMemoryIT}: indexes a layer
 * file and prints what it found and the peak heap in use.
 *
 * <p>Arguments: BLOB LAYER_DIGEST DIFF_ID.
 */
public final class IndexMemoryProbe {
  private IndexMemoryProbe() {}

  public static void main(String[] args) throws Exception {
    Path blob = Path.of(args[0]);
    LayerDescriptor layer =
        new LayerDescriptor(
            0,
            MediaTypes.OCI_LAYER_GZIP,
            Digest.parse(args[1]),
            Files.size(blob),
            Digest.parse(args[2]));
    LayerIndex index;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(blob), 1 << 16)) {
      index =
          new LayerIndexer(LayerIndexer.DEFAULT_SPAN_TARGET)
              .index(layer, in, LayerIndexer.Observer.NONE);
    }
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    System.out.printf(
        "uncompressed=%d entries=%d spans=%d indexBytes=%d peakHeap=%d%n",
        index.uncompressedSize(),
        index.entries().size(),
        index.spanCount(),
        LayerIndexCodec.encode(index).length,
        peak);
  }
}
